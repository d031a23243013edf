// rnmt convert: other programs' models as rnmt model files (convert/).
#include <boost/program_options.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "convert/marian_model.hpp"
#include "convert/opennmt_py.hpp"
#include "core/error.hpp"
#include "model_file/model_file.hpp"

namespace po = boost::program_options;

namespace rnmt::cli {

int convert_command(const std::vector<std::string>& args) {
  std::string from, output;
  OpenNmtPyTokenizers tokenizers;
  std::vector<std::string> files, vocabs;
  po::options_description desc(
      "rnmt convert --from opennmt-py|marian MODEL -o MODEL.rnmt: another program's model as an\n"
      "rnmt model file, which every rnmt command then uses (docs/converting.md)\noptions");
  desc.add_options()("help,h", "show this help")(
      "from", po::value(&from)->required(),
      "the program that trained it: opennmt-py (an OpenNMT-py checkpoint of an RNN model, any "
      "version saved by torch 1.6 or later) or marian (a Marian s2s model.npz)")(
      "output,o", po::value(&output)->required(), "the rnmt model file to write")(
      "vocabs", po::value(&vocabs)->multitoken()->value_name("SRC TGT"),
      "marian: the model's source and target vocabularies (Marian's YAML files). Default: those "
      "its MODEL.npz.decoder.yml names")(
      "src-tokenizer", po::value(&tokenizers.source)->value_name("FILE|whitespace"),
      "how raw source text becomes the model's tokens: a SentencePiece .model file, an rnmt "
      "tokenizer file, or whitespace (text tokenized beforehand). Default: the SentencePiece "
      "model the checkpoint was trained with (its -src_subword_model, as recorded or beside the "
      "checkpoint), else whitespace; for Marian, whitespace")(
      "tgt-tokenizer", po::value(&tokenizers.target)->value_name("FILE|whitespace"),
      "the same for the target side (how translations are joined into text)");
  po::options_description hidden;
  hidden.add_options()("files", po::value(&files));
  po::positional_options_description positional;
  positional.add("files", -1);
  po::variables_map vm;
  if (int status = parse_command(args, desc, vm, "convert", &hidden, &positional); status >= 0)
    return status;
  if (files.size() != 1)
    return usage_error("convert", "convert --from opennmt-py|marian MODEL -o MODEL.rnmt", desc);
  if (from != "opennmt-py" && from != "marian")
    throw Error("--from " + from + ": rnmt converts opennmt-py and marian models");
  if (from != "marian" && !vocabs.empty())
    throw Error(
        "--vocabs: Marian's models keep their vocabularies apart; OpenNMT-py's hold theirs");
  const ModelFileContents contents =
      from == "marian"
          ? convert_marian(files[0], std::cerr, {vocabs, tokenizers.source, tokenizers.target})
          : convert_opennmt_py(files[0], std::cerr, tokenizers);
  write_model_file(contents, output);
  // Read back as every command will: the file is checked whole before anyone relies on it.
  const LoadedModel model = load_model(output);
  std::cerr << "convert: wrote " << output << " (" << model.network->params().total()
            << " weights)\n";
  return 0;
}

}  // namespace rnmt::cli
