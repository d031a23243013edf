#include "distributed/mpi_communicator.hpp"

#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <vector>

#include "core/error.hpp"

namespace rnmt {
namespace {

void check(int status, const char* call) {
  if (status == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(status, text, &length);
  throw Error(std::string("MPI: ") + call + " failed: " + std::string(text, length));
}

// MPI counts are int: a longer buffer goes in slices.
constexpr size_t kMaxCount = INT_MAX / 2;

class MpiCommunicator final : public Communicator {
 public:
  // owned: a communicator of its own that this object frees (a split), not MPI_COMM_WORLD
  explicit MpiCommunicator(MPI_Comm comm, bool owned = false) : comm_(comm), owned_(owned) {
    check(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
    check(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
  }
  ~MpiCommunicator() override {
    if (owned_) MPI_Comm_free(&comm_);
  }
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;
  int rank() const override { return rank_; }
  int size() const override { return size_; }

  void sum(double* data, size_t n) override {
    for (size_t done = 0; done < n; done += kMaxCount) {
      const int count = static_cast<int>(std::min(kMaxCount, n - done));
      check(MPI_Allreduce(MPI_IN_PLACE, data + done, count, MPI_DOUBLE, MPI_SUM, comm_),
            "MPI_Allreduce");
    }
  }
  void start_sum(float* data, size_t n) override {
    for (size_t done = 0; done < n; done += kMaxCount) {
      const int count = static_cast<int>(std::min(kMaxCount, n - done));
      MPI_Request& request = requests_.emplace_back();
      check(MPI_Iallreduce(MPI_IN_PLACE, data + done, count, MPI_FLOAT, MPI_SUM, comm_, &request),
            "MPI_Iallreduce");
    }
  }
  void progress() override {
    if (requests_.empty()) return;
    int all_done = 0;
    check(MPI_Testall(static_cast<int>(requests_.size()), requests_.data(), &all_done,
                      MPI_STATUSES_IGNORE),
          "MPI_Testall");
  }
  void finish_sums() override {
    check(MPI_Waitall(static_cast<int>(requests_.size()), requests_.data(), MPI_STATUSES_IGNORE),
          "MPI_Waitall");
    requests_.clear();  // keeps its capacity: the next step's requests allocate nothing
  }
  void broadcast(double* data, size_t n) override {
    check(MPI_Bcast(data, static_cast<int>(n), MPI_DOUBLE, 0, comm_), "MPI_Bcast");
  }
  std::unique_ptr<Communicator> split(int color) override {
    MPI_Comm part = MPI_COMM_NULL;
    check(MPI_Comm_split(comm_, color, rank_, &part), "MPI_Comm_split");
    MPI_Comm_set_errhandler(part, MPI_ERRORS_RETURN);
    return std::make_unique<MpiCommunicator>(part, true);
  }
  void barrier() override { check(MPI_Barrier(comm_), "MPI_Barrier"); }
  bool agree(uint64_t value) override {
    uint64_t low = value, high = value;
    check(MPI_Allreduce(MPI_IN_PLACE, &low, 1, MPI_UINT64_T, MPI_MIN, comm_), "MPI_Allreduce");
    check(MPI_Allreduce(MPI_IN_PLACE, &high, 1, MPI_UINT64_T, MPI_MAX, comm_), "MPI_Allreduce");
    return low == high;
  }

 private:
  MPI_Comm comm_;
  bool owned_;
  int rank_ = 0, size_ = 1;
  std::vector<MPI_Request> requests_;
};

}  // namespace

MpiSession::MpiSession() {
  int provided = 0;
  check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  // Errors come back as codes (and become exceptions) rather than ending the process unexplained.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  world_ = std::make_unique<MpiCommunicator>(MPI_COMM_WORLD);
}

MpiSession::~MpiSession() {
  world_.reset();
  MPI_Finalize();
}

Communicator& MpiSession::world() {
  return *world_;
}

void MpiSession::abort(int status) {
  MPI_Abort(MPI_COMM_WORLD, status);
  std::abort();  // MPI_Abort does not return
}

}  // namespace rnmt
