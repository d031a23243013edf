// The data-parallel tests' runner: started by `mpirun -np 2`, every rank runs the same test cases
// in the same order (their collectives must match) on the MPI world. Failures use CHECK, not
// REQUIRE, so that a failing rank still makes the collectives its partner waits in.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "distributed/mpi_communicator.hpp"
#include "mpi_world.hpp"

namespace {
rnmt::Communicator* g_world = nullptr;
}

rnmt::Communicator& mpi_world() {
  return *g_world;
}

int main(int argc, char* argv[]) {
  rnmt::MpiSession mpi;
  g_world = &mpi.world();
  Catch::Session session;
  if (const int status = session.applyCommandLine(argc, argv); status != 0) return status;
  session.configData().warnings = static_cast<Catch::WarnAbout::What>(
      Catch::WarnAbout::NoAssertions | Catch::WarnAbout::NoTests);
  return session.run();
}
