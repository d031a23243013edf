#include "translation/source_batches.hpp"

namespace rnmt {

EncodedSources encode_sources(const TranslationModel& m, const std::vector<std::string>& lines,
                              int64_t first_line) {
  EncodedSources out;
  out.ids.assign(m.members.size(), std::vector<Sentence>(lines.size()));
  out.pieces.resize(lines.size());
  out.truncated.assign(lines.size(), 0);
  for (size_t k = 0; k < m.members.size(); ++k) {
    const TranslationMember& member = m.members[k];
    const Vocabulary& vocabulary = member.source.model().vocabulary;
    for (size_t i = 0; i < lines.size(); ++i) {
      bool truncated = false;
      std::vector<std::string> pieces =
          member.source.tokenize_prefix(lines[i], first_line + static_cast<int64_t>(i),
                                        static_cast<size_t>(member.max_source_length), &truncated);
      out.truncated[i] |= static_cast<uint8_t>(truncated);
      for (const auto& piece : pieces) out.ids[k][i].push_back(vocabulary.id(piece));
      if (k == 0) out.pieces[i] = std::move(pieces);
    }
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    bool empty = false;
    for (const auto& member_ids : out.ids) empty |= member_ids[i].empty();
    if (empty) {
      for (auto& member_ids : out.ids) member_ids[i].clear();
      continue;
    }
    // a source that ends with </s> (Marian's models); the first network's pieces say so too, so
    // that they match its attention's columns
    for (size_t k = 0; k < m.members.size(); ++k) {
      if (!m.members[k].network.config().source_eos) continue;
      out.ids[k][i].push_back(kEos);
      if (k == 0) out.pieces[i].push_back(Vocabulary::kSpecials[kEos]);
    }
  }
  return out;
}

std::vector<Batch> source_batches(const EncodedSources& sources, const std::vector<size_t>& order,
                                  size_t begin, size_t end) {
  const Sentence no_target;
  std::vector<const Sentence*> member_sources, targets(end - begin, &no_target);
  std::vector<Batch> batches;
  for (const auto& ids : sources.ids) {
    member_sources.clear();
    for (size_t k = begin; k < end; ++k) member_sources.push_back(&ids[order[k]]);
    batches.push_back(make_batch(member_sources, targets));
  }
  return batches;
}

Ensemble ensemble_of(const TranslationModel& worker, const std::vector<Batch>& batches) {
  std::vector<EnsembleMember> members;
  for (size_t k = 0; k < worker.members.size(); ++k)
    members.push_back({&worker.members[k].network, &batches[k], worker.members[k].weight});
  return Ensemble(std::move(members));
}

}  // namespace rnmt
