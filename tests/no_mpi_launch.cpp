// cli/launched_world.cpp compiled as a build without Open MPI compiles it (without RNMT_WITH_MPI),
// in a program that does what `rnmt run` does with it: started by mpirun, it must stop with the
// message naming the packages; started alone, it runs its body.
#include <iostream>

#include "cli/launched_world.hpp"
#include "core/error.hpp"

int main() {
  try {
    return rnmt::cli::run_on_launched_world([](rnmt::Communicator&, std::ostream& log) {
      log << "ran alone" << std::endl;
      return 0;
    });
  } catch (const rnmt::Error& e) {
    std::cerr << "rnmt: error: " << e.what() << std::endl;
    return 1;
  }
}
