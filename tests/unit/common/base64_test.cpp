#include "common/base64.h"

#include <gtest/gtest.h>

namespace mm {
namespace {

TEST(Base64, EncodesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
}

TEST(Base64, DecodesAndSkipsLineBreaks) {
  auto r = Base64Decode("Zm9v\nYmFy\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value(), "foobar");
}

TEST(Base64, RejectsInvalidInputWithReason) {
  auto bad = Base64Decode("Zm9v!");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("invalid character '!'"), std::string::npos);
  EXPECT_FALSE(Base64Decode("Zg==Zg").ok());
}

}  // namespace
}  // namespace mm
