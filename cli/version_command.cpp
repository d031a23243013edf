// rnmt --version: this rnmt, the oneDNN it runs on, and the instructions oneDNN uses on this CPU.
#include <oneapi/dnnl/dnnl.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "cli/commands.hpp"
#include "core/enum_names.hpp"
#include "core/packed_matmul.hpp"
#include "rnmt/version.hpp"

namespace rnmt::cli {
namespace {

inline constexpr EnumName<dnnl_cpu_isa_t> kIsaNames[] = {
    {dnnl_cpu_isa_sse41, "SSE4.1"},
    {dnnl_cpu_isa_avx, "AVX"},
    {dnnl_cpu_isa_avx2, "AVX2"},
    {dnnl_cpu_isa_avx2_vnni, "AVX2 VNNI"},
    {dnnl_cpu_isa_avx512_mic, "AVX-512 (MIC)"},
    {dnnl_cpu_isa_avx512_mic_4ops, "AVX-512 (MIC 4OPS)"},
    {dnnl_cpu_isa_avx512_core, "AVX-512"},
    {dnnl_cpu_isa_avx512_core_vnni, "AVX-512 VNNI"},
    {dnnl_cpu_isa_avx512_core_bf16, "AVX-512 BF16"},
    {dnnl_cpu_isa_avx512_core_amx, "AMX"}};

}  // namespace

int version_command() {
  const dnnl_version_t* dnnl = dnnl_version();
  std::string isa = "unknown";
  for (const auto& [value, name] : kIsaNames)
    if (value == dnnl_get_effective_cpu_isa()) isa = name;
  const std::string hash = dnnl->hash && std::string(dnnl->hash) != "N/A"
                               ? std::string(" (commit ") + dnnl->hash + ")"
                               : std::string();
  char text[512];
  std::snprintf(text, sizeof text,
                "rnmt %s\noneDNN %d.%d.%d%s\nCPU instructions oneDNN uses here: %s; bfloat16 "
                "products: %s\n",
                version(), dnnl->major, dnnl->minor, dnnl->patch, hash.c_str(), isa.c_str(),
                bf16_supported() ? "yes" : "no (--compute-type bfloat16 is refused)");
  std::cout << text;
  return 0;
}

}  // namespace rnmt::cli
