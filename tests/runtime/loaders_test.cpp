// The CSV, IDX and NPY loaders on good files and on every kind of bad file, checking that the
// error names the file, the line or byte offset, and what was expected.
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <kiln/loaders.hpp>
#include <string>
#include <vector>

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {
std::string temp_file(const std::string& name, const std::string& bytes) {
  const auto dir = std::filesystem::temp_directory_path() / "kiln_loaders_test";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / name).string();
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}
std::string be32(std::uint32_t v) { return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)}; }
std::string le(std::uint64_t v, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += char(v >> (8 * i));
  return s;
}
// An NPY file: magic, version, header length, the dict padded with spaces to a multiple of 64
// bytes (so the data starts at byte 128 for the dicts below), then the data.
std::string npy(const std::string& dict, const std::string& data, int version = 1) {
  std::string header = dict;
  const std::size_t fixed = version == 1 ? 10 : 12;
  while ((fixed + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  return std::string("\x93NUMPY", 6) + char(version) + '\0' +
         le(header.size(), version == 1 ? 2 : 4) + header + data;
}
std::string floats_le(const std::vector<float>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4);
}
std::string doubles_le(const std::vector<double>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * 8);
}
}  // namespace

TEST_CASE("csv: good files", "[loaders]") {
  const std::string path = temp_file("good.csv", "x1,x2,y\n1,2,3\n4.5, -5 ,6e-1\r\n\n");
  const auto d = kiln::load_csv(path);
  CHECK(d.features == 2);
  CHECK(d.targets == 1);
  CHECK(d.x == std::vector<float>{1, 2, 4.5f, -5});
  CHECK(d.y == std::vector<float>{3, 0.6f});

  // No header, targets in columns 0 and -1.
  kiln::csv_options two;
  two.target_columns = {0, -1};
  const auto e = kiln::parse_csv("1,2,3,4\n5,6,7,8\n", "mem.csv", two);
  CHECK(e.x == std::vector<float>{2, 3, 6, 7});
  CHECK(e.y == std::vector<float>{1, 4, 5, 8});

  // Class labels: integers or names, one-hot; quoted fields.
  kiln::csv_options classes;
  classes.labels = {"setosa", "versicolor", "virginica"};
  const auto c = kiln::parse_csv("a,b,species\n1,2,\"virginica\"\n3,4,0\n", "iris.csv", classes);
  CHECK(c.targets == 3);
  CHECK(c.y == std::vector<float>{0, 0, 1, 1, 0, 0});
  kiln::csv_options numbered;
  numbered.classes = 4;
  numbered.target_columns = {0};
  numbered.header = kiln::csv_options::header_mode::absent;
  CHECK(kiln::parse_csv("3,1\n", "n.csv", numbered).y == std::vector<float>{0, 0, 0, 1});
  kiln::csv_options semicolon;
  semicolon.delimiter = ';';
  CHECK(kiln::parse_csv("1;2\n", "s.csv", semicolon).x == std::vector<float>{1});
}

TEST_CASE("csv: bad files", "[loaders]") {
  CHECK_THROWS_WITH(kiln::load_csv("/nonexistent/kiln.csv"),
                    "kiln::load_csv: /nonexistent/kiln.csv: cannot open the file");
  CHECK_THROWS_WITH(kiln::parse_csv("1,2,3\n4,5\n", "a.csv"),
                    "kiln::load_csv: a.csv:2: expected 3 fields (as on the first line), found 2");
  CHECK_THROWS_WITH(kiln::parse_csv("x,y\n1,2\n3,abc\n", "b.csv"),
                    "kiln::load_csv: b.csv:3: field 2 ('abc') should be a number");
  CHECK_THROWS_WITH(kiln::parse_csv("1,2\n\"3,4\n", "c.csv"),
                    "kiln::load_csv: c.csv:2: a quoted field is not closed");
  CHECK_THROWS_WITH(kiln::parse_csv("", "d.csv"),
                    "kiln::load_csv: d.csv:0: the file holds no data");
  CHECK_THROWS_WITH(kiln::parse_csv("x,y\n", "e.csv"),
                    "kiln::load_csv: e.csv:1: the file holds a header but no samples");
  kiln::csv_options far;
  far.target_columns = {5};
  CHECK_THROWS_WITH(
      kiln::parse_csv("1,2\n", "f.csv", far),
      "kiln::load_csv: f.csv:1: target column 5 does not exist: the line has 2 fields");
  kiln::csv_options classes;
  classes.classes = 3;
  CHECK_THROWS_WITH(kiln::parse_csv("1,2\n1,3\n", "g.csv", classes),
                    "kiln::load_csv: g.csv:2: field 2 ('3') should be a class label: an integer in "
                    "[0, 3)");
  CHECK_THROWS_WITH(kiln::parse_csv("1,1.5\n", "g.csv", classes),
                    Contains("g.csv:1: field 2 ('1.5') should be a class label"));
  // Found by fuzzing: far outside int's range, the label was converted to int before the range
  // check (undefined behaviour); NaN and infinities likewise.
  for (const char* label : {"-6e13", "1e10", "2147483648", "nan", "inf", "-inf", "-1"})
    CHECK_THROWS_WITH(kiln::parse_csv(std::string("1,0\n2,") + label + "\n", "g.csv", classes),
                      std::string("kiln::load_csv: g.csv:2: field 2 ('") + label +
                          "') should be a class label: an integer in [0, 3)");
  kiln::csv_options header;
  header.header = kiln::csv_options::header_mode::absent;
  CHECK_THROWS_WITH(kiln::parse_csv("x,y\n1,2\n", "h.csv", header),
                    "kiln::load_csv: h.csv:1: field 1 ('x') should be a number");
}

TEST_CASE("idx: good files", "[loaders]") {
  // Two 2x3 unsigned-byte images and their labels.
  const std::string images = std::string("\0\0\x08\x03", 4) + be32(2) + be32(2) + be32(3) +
                             std::string("\x00\x01\x02\x03\x04\xff\x10\x20\x30\x40\x50\x60", 12);
  const std::string labels = std::string("\0\0\x08\x01", 4) + be32(2) + std::string("\x07\x00", 2);
  const auto a = kiln::parse_idx(images, "mem");
  CHECK(a.shape == std::vector<std::size_t>{2, 2, 3});
  CHECK(a.data[5] == 255.0f);
  const auto d = kiln::load_idx_dataset(temp_file("img.idx", images), temp_file("lbl.idx", labels));
  CHECK(d.features == 6);
  CHECK(d.targets == 10);
  CHECK(d.x[5] == 1.0f);
  CHECK(d.x[6] == 16.0f / 255);
  CHECK(d.targets_of(0)[7] == 1.0f);
  CHECK(d.targets_of(1)[0] == 1.0f);
  // float32, big-endian: 1.5 = 0x3fc00000, -2 = 0xc0000000.
  const std::string floats =
      std::string("\0\0\x0d\x01", 4) + be32(2) + be32(0x3fc00000) + be32(0xc0000000);
  CHECK(kiln::parse_idx(floats, "f").data == std::vector<float>{1.5f, -2.0f});
}

TEST_CASE("idx: bad files", "[loaders]") {
  const std::string head = std::string("\0\0\x08\x01", 4);
  CHECK_THROWS_WITH(kiln::parse_idx(std::string("\0\0", 2), "t.idx"),
                    "kiln::load_idx: t.idx: byte 2: the file ends after 2 bytes, expected a 4-byte "
                    "magic number (0, 0, type, dimensions)");
  CHECK_THROWS_WITH(kiln::parse_idx("PK\x03\x04", "z.idx"),
                    StartsWith("kiln::load_idx: z.idx: byte 0: bad magic number 0x504b0304"));
  CHECK_THROWS_WITH(kiln::parse_idx(std::string("\0\0\x0b\x01", 4) + be32(1) + "ab", "s.idx"),
                    StartsWith("kiln::load_idx: s.idx: byte 2: data type 0x0b is not supported"));
  CHECK_THROWS_WITH(kiln::parse_idx(std::string("\0\0\x08\x03", 4) + be32(1), "d.idx"),
                    "kiln::load_idx: d.idx: byte 8: the file ends inside the 3 dimensions "
                    "(expected 16 header bytes)");
  CHECK_THROWS_WITH(kiln::parse_idx(head + be32(5) + "abc", "short.idx"),
                    "kiln::load_idx: short.idx: byte 11: the file ends after 3 data bytes, but "
                    "dimensions (5) needs more (1 bytes per value)");
  CHECK_THROWS_WITH(kiln::parse_idx(head + be32(2) + "abc", "long.idx"),
                    "kiln::load_idx: long.idx: byte 10: 1 bytes follow the 2 values of "
                    "dimensions (2)");
  // Dimensions whose product overflows: refused before any allocation.
  const std::string huge = std::string("\0\0\x08\x04", 4) + be32(0xffffffff) + be32(0xffffffff) +
                           be32(0xffffffff) + be32(0xffffffff) + "x";
  CHECK_THROWS_WITH(kiln::parse_idx(huge, "huge.idx"),
                    Contains("huge.idx: byte 21: the file ends after 1 data bytes"));
  const std::string labels = head + be32(1) + "\x0c";
  const std::string images = std::string("\0\0\x08\x02", 4) + be32(1) + be32(1) + "\x01";
  CHECK_THROWS_WITH(
      kiln::load_idx_dataset(temp_file("i1.idx", images), temp_file("l1.idx", labels)),
      Contains("l1.idx: byte 8: label 12 is not in [0, 10)"));
}

TEST_CASE("npy: good files", "[loaders]") {
  const auto a = kiln::parse_npy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
                                     floats_le({1, 2, 3, 4, 5, 6})),
                                 "a.npy");
  CHECK(a.shape == std::vector<std::size_t>{2, 3});
  CHECK(a.data == std::vector<float>{1, 2, 3, 4, 5, 6});
  const auto b = kiln::load_npy(
      temp_file("b.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
                             doubles_le({0.25, -1e10}), 2)));
  CHECK(b.shape == std::vector<std::size_t>{2});
  CHECK(b.data == std::vector<float>{0.25f, -1e10f});
  const auto d = kiln::make_dataset(a, b);
  CHECK(d.features == 3);
  CHECK(d.targets == 1);
  CHECK(d.y == b.data);
}

TEST_CASE("npy: bad files", "[loaders]") {
  const std::string f4 = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  CHECK_THROWS_WITH(kiln::parse_npy("NUMPY", "m.npy"),
                    "kiln::load_npy: m.npy: byte 0: expected the NPY magic string \\x93NUMPY");
  std::string v9 = npy(f4, floats_le({1, 2, 3, 4, 5, 6}));
  v9[6] = 9;
  CHECK_THROWS_WITH(kiln::parse_npy(v9, "v.npy"),
                    "kiln::load_npy: v.npy: byte 6: format version 9 is not supported: expected 1, "
                    "2 or 3");
  CHECK_THROWS_WITH(
      kiln::parse_npy(npy("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", "12345678"),
                      "i.npy"),
      "kiln::load_npy: i.npy: byte 20: dtype '<i8' is not supported: expected '<f4' (float32) or "
      "'<f8' (float64)");
  CHECK_THROWS_WITH(
      kiln::parse_npy(
          npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", floats_le({1})),
          "f.npy"),
      "kiln::load_npy: f.npy: byte 44: fortran_order is True: expected False (C order)");
  CHECK_THROWS_WITH(kiln::parse_npy(npy(f4, floats_le({1, 2, 3, 4, 5})), "short.npy"),
                    "kiln::load_npy: short.npy: byte 148: the file ends after 20 data bytes, but "
                    "shape (2, 3) needs more (4 bytes per value)");
  CHECK_THROWS_WITH(
      kiln::parse_npy(npy(f4, floats_le({1, 2, 3, 4, 5, 6, 7})), "long.npy"),
      "kiln::load_npy: long.npy: byte 152: 4 bytes follow the 6 values of shape (2, 3)");
  CHECK_THROWS_WITH(
      kiln::parse_npy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", ""),
                      "s.npy"),
      "kiln::load_npy: s.npy: byte 64: shape (2, x) should be a tuple of integers");
  CHECK_THROWS_WITH(kiln::parse_npy(npy("{'descr': '<f4'}", ""), "k.npy"),
                    "kiln::load_npy: k.npy: byte 10: the header should be a dict with 'descr', "
                    "'fortran_order' and 'shape'");
  std::string lying = npy(f4, "");
  lying[8] = char(0xff);
  lying[9] = char(0xff);
  CHECK_THROWS_WITH(kiln::parse_npy(lying, "h.npy"),
                    "kiln::load_npy: h.npy: byte 8: the header claims 65535 bytes but only 118 "
                    "follow");
}

TEST_CASE("damaged files never crash: every truncation and byte flip", "[loaders]") {
  const std::string idx = std::string("\0\0\x08\x02", 4) + be32(2) + be32(3) + "abcdef";
  const std::string np =
      npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", doubles_le({1.5, 2.5}));
  const std::string csv = "a,b,c\n1,2,0\n\"3\",4,1\n";
  kiln::csv_options classes;
  classes.classes = 2;
  kiln::rng r(5);
  for (int round = 0; round < 2; ++round) {
    for (const std::string* good : {&idx, &np, &csv}) {
      for (std::size_t n = 0; n <= good->size(); ++n) {
        std::string bytes = good->substr(0, n);
        if (round == 1 && n > 0) bytes[r.below(n)] ^= char(1 + r.below(255));  // and one flip
        try {
          if (good == &idx) kiln::parse_idx(bytes, "x.idx");
          if (good == &np) kiln::parse_npy(bytes, "x.npy");
          if (good == &csv) kiln::parse_csv(bytes, "x.csv", classes);
        } catch (const kiln::load_error& e) {
          CHECK_THAT(e.what(), StartsWith("kiln::load_"));
        }
      }
    }
  }
}
