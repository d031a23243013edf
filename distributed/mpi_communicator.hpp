#pragma once
#include <memory>

#include "distributed/communicator.hpp"

namespace rnmt {

// Open MPI for the length of a scope: MPI_Init on construction (the process must have been started
// by mpirun or another MPI launcher, or it is a world of one), MPI_Finalize on destruction. Only
// the calling thread uses MPI; OpenMP's threads never do.
class MpiSession {
 public:
  MpiSession();
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  Communicator& world();
  // Ends every rank's process at once: an error on one rank must not leave the others waiting in
  // a collective for ever.
  [[noreturn]] void abort(int status);

 private:
  std::unique_ptr<Communicator> world_;
};

}  // namespace rnmt
