// The test runner: Catch2's own, made strict. A test case that asserts nothing fails, and so does a
// run that matches no test case (CTest runs each case by name, and a name CTest mangled would
// otherwise run nothing and pass).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

int main(int argc, char* argv[]) {
  Catch::Session session;
  if (const int status = session.applyCommandLine(argc, argv); status != 0) return status;
  session.configData().warnings = static_cast<Catch::WarnAbout::What>(
      Catch::WarnAbout::NoAssertions | Catch::WarnAbout::NoTests);
  return session.run();
}
