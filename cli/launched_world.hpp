#pragma once
#include <functional>
#include <ostream>

#include "distributed/communicator.hpp"

namespace rnmt::cli {

// Runs `body` on the ranks an MPI launcher (mpirun) started, or on this process alone when none
// did. Under MPI every rank runs it; rank 0's log is stderr, the others' goes nowhere, and an
// error on any rank ends every rank's process (MPI_Abort) rather than leaving the others waiting
// in a collective for ever. Built without MPI, a launch by mpirun is an error that says so.
using RankBody = std::function<int(Communicator& world, std::ostream& log)>;
int run_on_launched_world(const RankBody& body);

}  // namespace rnmt::cli
