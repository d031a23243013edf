#pragma once
#include <string>
#include <vector>

namespace rnmt::cli {

// Each command takes its own arguments (after the command words) and returns the exit status.
int version_command();  // rnmt --version
int bench_train_command(const std::vector<std::string>& args);
int bench_allreduce_command(const std::vector<std::string>& args);
int learn_bpe_command(const std::vector<std::string>& args);
int tokenize_command(const std::vector<std::string>& args);
int detokenize_command(const std::vector<std::string>& args);
int bleu_command(const std::vector<std::string>& args);
int run_command(const std::vector<std::string>& args);
int sweep_command(const std::vector<std::string>& args);
int translate_command(const std::vector<std::string>& args);
int average_command(const std::vector<std::string>& args);
int quantize_command(const std::vector<std::string>& args);
int convert_command(const std::vector<std::string>& args);
int score_command(const std::vector<std::string>& args);
int inspect_command(const std::vector<std::string>& args);
int report_command(const std::vector<std::string>& args);
int serve_command(const std::vector<std::string>& args);
int quickstart_data_command(const std::vector<std::string>& args);

}  // namespace rnmt::cli
