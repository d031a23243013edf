#include "pipeline/run.hpp"

#include <cstdio>
#include <filesystem>
#include <optional>

#include "core/directory_lock.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "pipeline/stages.hpp"
#include "training/checkpoint_directory.hpp"
#include "training/workdir.hpp"

namespace rnmt {
namespace fs = std::filesystem;
namespace {

// --------------------------------------------------------------------- stage fingerprints
std::string hex(uint64_t h) {
  char b[17];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(h));
  return b;
}

uint64_t fnv(const std::string& s, uint64_t h = 1469598103934665603ull) {
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

}  // namespace

std::string stage_fingerprint(const Recipe& r, Stage stage) {
  std::string s = "prepare:" + file_identity(r.data.train.src) + file_identity(r.data.train.tgt) +
                  file_identity(r.data.valid.src) + file_identity(r.data.valid.tgt) +
                  file_identity(r.data.test.src) + file_identity(r.data.test.tgt) +
                  enum_name(kNormalizationNames, r.tokenizer.normalization) +
                  std::to_string(r.tokenizer.joint) + std::to_string(r.tokenizer.merges);
  if (stage >= Stage::train) {
    // every key of the model, training and validation sections, at full precision
    s += dump_recipe_sections(r, {"model", "training", "validation"});
    s += std::to_string(r.tokenizer.dropout) + std::to_string(r.data.max_length);
    // added later: at its default, fingerprints stay what older versions wrote
    if (r.data.shard_pairs != Recipe{}.data.shard_pairs)
      s += " shard_pairs " + std::to_string(r.data.shard_pairs);
  }
  if (stage >= Stage::evaluate) {
    // every key of the translate and export sections
    s += '\n';
    s += dump_recipe_sections(r, {"translate", "export"});
  }
  return hex(fnv(s));
}

namespace {

std::string stamp_path(const Recipe& r, Stage stage) {
  return Workdir{r.workdir}.stage_stamp(enum_name(kStageNames, stage));
}

bool up_to_date(const Recipe& r, Stage stage) {
  const std::string p = stamp_path(r, stage);
  return fs::exists(p) && read_whole_file(p, "stage stamp") == stage_fingerprint(r, stage);
}

void mark_done(const Recipe& r, Stage stage) {
  write_file_atomically(stamp_path(r, stage), stage_fingerprint(r, stage));
}

int run_stages(const Recipe& r, std::optional<Stage> from, std::ostream& log, Communicator& comm,
               Stage last, const RunContext& context) {
  const bool lead = comm.lead();
  std::optional<DirectoryLock> lock;  // rank 0 alone writes the workdir, so it alone locks it
  if (lead) {
    std::error_code ec;
    fs::create_directories(r.workdir, ec);
    if (ec) throw Error("cannot create the workdir '" + r.workdir + "': " + ec.message());
    lock.emplace(r.workdir, "workdir");
    write_file_atomically(Workdir{r.workdir}.recipe(), dump_recipe(r));
  }
  bool rerun = false;  // once a stage runs, every later one runs too: its input changed
  for (Stage stage : {Stage::prepare, Stage::train, Stage::evaluate, Stage::export_model}) {
    if (from && stage == *from) {
      rerun = true;
      // --from train starts training afresh
      if (stage == Stage::train && lead) Workdir{r.workdir}.train().clear();
    }
    // rank 0 reads the stamps; the others follow its decision
    if (!rerun && lead_decides(comm, lead && up_to_date(r, stage))) {
      log << enum_name(kStageNames, stage) << ": up to date, skipped" << std::endl;
      if (stage == last) break;
      continue;
    }
    if (lead) fs::remove(stamp_path(r, stage));  // an interrupted stage is not done
    switch (stage) {
      case Stage::prepare:
        if (lead) prepare_stage(r, log, context);
        comm.barrier();  // the data and tokenizers are in the workdir for every rank
        break;
      case Stage::train:
        if (const int status = train_stage(r, log, comm, context); status != 0) return status;
        break;
      case Stage::evaluate:
        if (lead) evaluate_stage(r, log, context);
        break;
      case Stage::export_model:
        if (lead) export_stage(r, log);
        break;
    }
    if (lead) mark_done(r, stage);
    rerun = true;
    if (stage == last) break;
  }
  return 0;
}

}  // namespace

bool adopt_prepared_data(const Recipe& r, const std::string& done_workdir) {
  Recipe done = r;
  done.workdir = done_workdir;
  if (!up_to_date(done, Stage::prepare)) return false;
  fs::create_directories(r.workdir);
  fs::remove_all(Workdir{r.workdir}.prepare());
  fs::copy(Workdir{done_workdir}.prepare(), Workdir{r.workdir}.prepare(),
           fs::copy_options::recursive | fs::copy_options::create_hard_links);
  mark_done(r, Stage::prepare);
  return true;
}

int run_recipe(const Recipe& r, std::optional<Stage> from, std::ostream& log, Communicator& comm,
               Stage last, const RunContext& context) {
  try {
    return run_stages(r, from, log, comm, last, context);
  } catch (const Interrupted&) {
    log << "interrupted" << std::endl;
    return 130;
  }
}

}  // namespace rnmt
