#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

namespace rnmt {

// What data-parallel training needs from its ranks (processes), and nothing more. One process
// alone is the LocalCommunicator; `mpirun` gives the MpiCommunicator (distributed/mpi_communicator,
// built when Open MPI is installed), so that librnmt itself never links MPI. Every call is
// collective: all ranks make it, in the same order, or the job waits for ever.
class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  bool lead() const { return rank() == 0; }  // rank 0 logs, validates and writes files

  // Sums data[n] over the ranks in place; every rank gets the same bits.
  virtual void sum(double* data, size_t n) = 0;
  // Starts summing data[n] (in place) and returns at once: the gradient buckets of a layer are sent
  // while the backward pass goes on with the layers before it. finish_sums() waits for all of them;
  // progress() lets them advance (Open MPI moves a non-blocking collective only inside MPI calls).
  virtual void start_sum(float* data, size_t n) = 0;
  virtual void progress() = 0;
  virtual void finish_sums() = 0;
  // Rank 0's data[n] to every rank.
  virtual void broadcast(double* data, size_t n) = 0;
  virtual void barrier() = 0;
  // True on every rank when `value` is the same on every rank (a weights checksum).
  virtual bool agree(uint64_t value) = 0;
  // The ranks that give the same `color` as a communicator of their own, in the order of their
  // ranks here (rnmt sweep's groups of ranks, one trial each).
  virtual std::unique_ptr<Communicator> split(int color) = 0;
};

// One process, no one to talk to: every operation leaves its data as it is.
class LocalCommunicator final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void sum(double*, size_t) override {}
  void start_sum(float*, size_t) override {}
  void progress() override {}
  void finish_sums() override {}
  void broadcast(double*, size_t) override {}
  void barrier() override {}
  bool agree(uint64_t) override { return true; }
  std::unique_ptr<Communicator> split(int) override {
    return std::make_unique<LocalCommunicator>();
  }
};

Communicator& local_communicator();

// Rank 0's `value` on every rank: rank 0 decides (to skip a stage, to stop training), all follow.
bool lead_decides(Communicator& comm, bool value);

// FNV-1a over the 32-bit words of data[n]: ranks compare their weights with it.
uint64_t checksum(const float* data, size_t n);

// An Error on every rank when the ranks' `weights[n]` differ (by checksum) after `step`: a rank
// computed differently (mixed builds or CPUs), and training must not go on. Collective.
void require_same_weights(Communicator& comm, const float* weights, size_t n, int64_t step);

// The number of processes a launcher (Open MPI's mpirun, or a PMI/PMIx launcher such as srun)
// started this one among, from its environment; 1 when none did.
int launched_world_size();

}  // namespace rnmt
