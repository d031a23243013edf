#pragma once

namespace rnmt {

// The reports' stylesheet and scripts (report/assets/), embedded at build time.
extern const char* const kReportCss;
extern const char* const kChartsJs;
extern const char* const kInspectionJs;
extern const char* const kTrainingJs;
extern const char* const kSweepJs;

}  // namespace rnmt
