#include "cli/launched_world.hpp"

#include <iostream>
#include <string>

#include "core/error.hpp"
#ifdef RNMT_WITH_MPI
#include "distributed/mpi_communicator.hpp"
#endif

namespace rnmt::cli {

int run_on_launched_world(const RankBody& body) {
  const int launched = launched_world_size();
  if (launched <= 1) return body(local_communicator(), std::cerr);
#ifdef RNMT_WITH_MPI
  MpiSession session;
  Communicator& world = session.world();
  std::ostream quiet(nullptr);
  try {
    return body(world, world.lead() ? std::cerr : quiet);
  } catch (const std::exception& e) {
    std::cerr << "rnmt: error (rank " << world.rank() << " of " << world.size() << "): " << e.what()
              << "\n";
    session.abort(1);
  }
#else
  throw Error("started by an MPI launcher among " + std::to_string(launched) +
              " processes, but this rnmt was built without MPI: install the Debian packages "
              "'libopenmpi-dev openmpi-bin' and rebuild (CMake option RNMT_MPI)");
#endif
}

}  // namespace rnmt::cli
