// The WASI 0.2 WIT (../shared/specs/wasi-0.2, a folder per package) resolves completely, and
// through the directory + deps/ layout.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "wit/load.h"
#include "wit_test_util.h"

namespace hull::wit {
namespace {

namespace fs = std::filesystem;

const char* const kPackages[] = {"io", "clocks", "random", "filesystem", "sockets", "cli", "http"};

std::string wasi_dir() {
  if (const char* env = std::getenv("HULL_WASI02_WIT")) return env;
  return HULL_WASI02_DIR;
}

// Loads package `name` with every other WASI package as a dependency.
Result<Resolved> load_wasi(const std::string& name, const ResolveOptions& opts = {}) {
  std::vector<std::string> deps;
  for (const char* p : kPackages)
    if (name != p) deps.push_back(wasi_dir() + "/" + p);
  return load_path(wasi_dir() + "/" + name, opts, deps);
}

class WasiPackage : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    if (!fs::is_directory(wasi_dir())) GTEST_SKIP() << "no " << wasi_dir();
  }
};

TEST_P(WasiPackage, Resolves) {
  for (bool all : {false, true}) {
    ResolveOptions opts;
    opts.all_features = all;
    auto r = load_wasi(GetParam(), opts);
    ASSERT_TRUE(r) << r.error().message;
    const Package& root = r->model.packages[r->root];
    EXPECT_EQ(root.name.ns, "wasi");
    EXPECT_EQ(root.name.name, GetParam());
    EXPECT_EQ(root.name.version, "0.2.12");
    EXPECT_FALSE(root.worlds.empty());
    for (const auto& [name, id] : root.worlds) {
      const World& w = r->model.worlds[id];
      EXPECT_FALSE(w.imports.empty() && w.exports.empty()) << name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Wasi02, WasiPackage, ::testing::ValuesIn(kPackages),
                         [](const auto& info) { return std::string(info.param); });

class Wasi : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::is_directory(wasi_dir())) GTEST_SKIP() << "no " << wasi_dir();
  }
};

TEST_F(Wasi, CommandWorldImportsEverythingItIncludes) {
  auto r = load_wasi("cli");
  ASSERT_TRUE(r) << r.error().message;
  auto w = select_world(*r, "command");
  ASSERT_TRUE(w) << w.error().message;
  const World& cmd = r->model.worlds[*w];
  auto imports = test::keys(cmd.imports);
  for (const char* want :
       {"wasi:io/streams@0.2.12", "wasi:io/poll@0.2.12", "wasi:io/error@0.2.12",
        "wasi:clocks/monotonic-clock@0.2.12", "wasi:filesystem/types@0.2.12",
        "wasi:filesystem/preopens@0.2.12", "wasi:sockets/tcp@0.2.12", "wasi:random/random@0.2.12",
        "wasi:cli/environment@0.2.12", "wasi:cli/terminal-stderr@0.2.12"}) {
    EXPECT_NE(std::find(imports.begin(), imports.end(), want), imports.end()) << want;
  }
  // Unstable by default: the timezone interface is gated on `clocks-timezone`.
  EXPECT_EQ(std::find(imports.begin(), imports.end(), "wasi:clocks/timezone@0.2.12"),
            imports.end());
  // Dependencies come before their users.
  auto at = [&](const char* k) { return std::find(imports.begin(), imports.end(), k); };
  EXPECT_LT(at("wasi:io/error@0.2.12"), at("wasi:io/streams@0.2.12"));
  EXPECT_LT(at("wasi:io/streams@0.2.12"), at("wasi:filesystem/types@0.2.12"));
  EXPECT_EQ(test::keys(cmd.exports), (std::vector<std::string>{"wasi:cli/run@0.2.12"}));
}

TEST_F(Wasi, StreamsInterfaceIsComplete) {
  auto r = load_wasi("io");
  ASSERT_TRUE(r) << r.error().message;
  const Model& m = r->model;
  const Interface& streams = test::iface(*r, "streams");
  const Function* write =
      test::func_named(streams, "[method]output-stream.blocking-write-and-flush");
  ASSERT_TRUE(write);
  EXPECT_EQ(write->params.size(), 2u);
  const TypeDef& result = m.types[write->result->def];
  ASSERT_EQ(result.kind, TypeDefKind::Result);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(m.types[result.err->def].name, "stream-error");
  const TypeDef& err = test::type_named(*r, streams, "error");
  EXPECT_EQ(m.interface_name(m.types[m.unalias(err.target).def].owner.id), "wasi:io/error@0.2.12");
  EXPECT_NE(streams.docs.find("WASI I/O"), std::string::npos);
}

TEST_F(Wasi, HttpProxyThroughADepsDirectory) {
  // The conventional layout: root package files beside a deps/ folder of packages.
  fs::path tmp = fs::temp_directory_path() / ("hull-wit-deps-" + std::to_string(::getpid()));
  fs::remove_all(tmp);
  fs::create_directories(tmp / "deps");
  for (const auto& e : fs::directory_iterator(wasi_dir() + "/http"))
    fs::copy_file(e.path(), tmp / e.path().filename());
  for (const char* p : kPackages) {
    if (std::string(p) != "http")
      fs::create_directory_symlink(fs::path(wasi_dir()) / p, tmp / "deps" / p);
  }
  auto r = load_path(tmp.string());
  fs::remove_all(tmp);
  ASSERT_TRUE(r) << r.error().message;
  auto w = select_world(*r, "proxy");
  ASSERT_TRUE(w) << w.error().message;
  const World& proxy = r->model.worlds[*w];
  EXPECT_EQ(test::keys(proxy.exports),
            (std::vector<std::string>{"wasi:http/incoming-handler@0.2.12"}));
  auto imports = test::keys(proxy.imports);
  EXPECT_NE(std::find(imports.begin(), imports.end(), "wasi:http/outgoing-handler@0.2.12"),
            imports.end());
  EXPECT_NE(std::find(imports.begin(), imports.end(), "wasi:http/types@0.2.12"), imports.end());
  EXPECT_EQ(r->model.packages.size(), 7u);
}

TEST_F(Wasi, MissingDependencyIsNamed) {
  auto r = load_path(wasi_dir() + "/cli");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("not found (known packages: wasi:cli@0.2.12)"),
            std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("/cli/"), std::string::npos);
}

}  // namespace
}  // namespace hull::wit
