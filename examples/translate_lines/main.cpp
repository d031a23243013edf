// translate_lines MODEL [N]: translates standard input line by line with rnmt::Translator.
// With N, it prints the N best hypotheses of each line with their scores, from a beam of N.
#include <rnmt/translator.hpp>

#include <exception>
#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: translate_lines MODEL [N-BEST] < input > output\n";
    return 2;
  }
  try {
    const rnmt::Translator translator(argv[1]);
    std::vector<std::string> lines;
    for (std::string line; std::getline(std::cin, line);) lines.push_back(line);

    if (argc < 3) {
      for (const std::string& translation : translator.translate(lines))
        std::cout << translation << '\n';
      return 0;
    }
    rnmt::TranslationOptions options = translator.default_options();
    options.num_hypotheses = std::stoi(argv[2]);
    options.beam_size = options.num_hypotheses;
    const std::vector<rnmt::TranslationResult> results = translator.translate(lines, options);
    for (size_t i = 0; i < results.size(); ++i) {
      for (const rnmt::TranslationHypothesis& h : results[i].hypotheses)
        std::cout << i << " ||| " << h.text << " ||| " << h.score << '\n';
    }
    return 0;
  } catch (const rnmt::Error& e) {  // a missing or damaged model file, invalid options
    std::cerr << "translate_lines: " << e.what() << '\n';
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "translate_lines: " << e.what() << '\n';
    return 2;
  }
}
