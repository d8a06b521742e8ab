// Small shared helpers: the median of report statistics and XML/HTML escaping.
#include <graspqp/io/xml_escape.hpp>
#include <graspqp/metrics/statistics.hpp>

#include <gtest/gtest.h>

namespace graspqp {
namespace {

TEST(Statistics, MedianOfOddEvenAndNoValues) {
  EXPECT_EQ(median({3.0, 1.0, 2.0}), 2.0);
  EXPECT_EQ(median({4.0, 1.0, 3.0, 2.0}), 2.5);
  EXPECT_EQ(median({7.5}), 7.5);
  EXPECT_EQ(median({}), 0.0);
}

TEST(XmlEscape, MarkupCharactersBecomeEntities) {
  EXPECT_EQ(xml_escape("a<b>&\"c\""), "a&lt;b&gt;&amp;&quot;c&quot;");
  EXPECT_EQ(xml_escape("plain_link-1"), "plain_link-1");
  EXPECT_EQ(xml_escape("&amp;"), "&amp;amp;");  // escaping is not idempotent: each & is escaped once
}

}  // namespace
}  // namespace graspqp
