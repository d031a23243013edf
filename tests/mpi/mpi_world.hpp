#pragma once
#include "distributed/communicator.hpp"

// The ranks mpirun started this test among.
rnmt::Communicator& mpi_world();
