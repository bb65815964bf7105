#include "clients/s3/s3_xml.h"

#include <gtest/gtest.h>

#include "clients/s3/s3_error.h"

namespace rivven::s3 {
namespace {

TEST(S3XmlTest, ErrorDocument) {
  const std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message>"
      "<BucketName>missing</BucketName><RequestId>4442587FB7D0A2F9</RequestId></Error>";
  const ErrorBody e = ParseErrorBody(xml);
  EXPECT_EQ(e.code, "NoSuchBucket");
  EXPECT_EQ(e.message, "The specified bucket does not exist");
  EXPECT_EQ(e.request_id, "4442587FB7D0A2F9");
  EXPECT_EQ(ParseErrorBody("").code, "");
  EXPECT_EQ(ParseErrorBody("<ListBucketResult/>").code, "");
}

TEST(S3XmlTest, ListBucketResultWithEntitiesAndNamespace) {
  const std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Name>b</Name><Prefix></Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>"
      "<IsTruncated>true</IsTruncated>"
      "<Contents><Key>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;</Key>"
      "<LastModified>2024-01-01T00:00:00.000Z</LastModified>"
      "<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>12</Size>"
      "<StorageClass>STANDARD</StorageClass></Contents>\n"
      "<Contents>\n  <Key>caf&#233; &#x65E5;&#26412; &#x1F600;</Key>\n  <Size>0</Size>\n"
      "  <ETag>\"x\"</ETag></Contents>"
      "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>"
      "</ListBucketResult>";
  const auto contents = XmlElements(xml, "Contents");
  ASSERT_EQ(contents.size(), 2u);
  EXPECT_EQ(XmlText(contents[0], "Key"), "a & b <c> \"d\" 'e'");
  EXPECT_EQ(XmlText(contents[0], "ETag"), "\"9b2cf535f27731c974343645a3985328\"");
  EXPECT_EQ(XmlText(contents[0], "Size"), "12");
  EXPECT_EQ(XmlText(contents[1], "Key"), "caf\u00e9 \u65e5\u672c \U0001F600");
  EXPECT_EQ(XmlText(xml, "IsTruncated"), "true");
  EXPECT_EQ(XmlText(xml, "NextContinuationToken"), "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
  EXPECT_EQ(XmlText(xml, "Prefix"), "");
  EXPECT_EQ(XmlText(xml, "Missing"), std::nullopt);
  // A name that is a prefix of another element's name does not match it.
  EXPECT_EQ(XmlText("<KeyCount>2</KeyCount><Key>k</Key>", "Key"), "k");
}

TEST(S3XmlTest, SelfClosingNestedCommentsAndCdata) {
  EXPECT_EQ(XmlText("<a><Prefix/><b>x</b></a>", "Prefix"), "");
  EXPECT_EQ(XmlText("<a attr=\"1\">v</a>", "a"), "v");
  EXPECT_EQ(XmlText("<!-- <Key>no</Key> --><Key>yes</Key>", "Key"), "yes");
  EXPECT_EQ(XmlText("<Key><![CDATA[a<b>&amp;]]></Key>", "Key"), "a<b>&amp;");
  const auto nested = XmlElements("<x><x>inner</x></x><x>2</x>", "x");
  ASSERT_EQ(nested.size(), 2u);
  EXPECT_EQ(nested[0], "<x>inner</x>");
  EXPECT_EQ(nested[1], "2");
  // Unterminated and broken input does not crash or loop.
  EXPECT_TRUE(XmlElements("<Key>abc", "Key").empty());
  EXPECT_TRUE(XmlElements("<Key", "Key").empty());
  EXPECT_EQ(XmlDecode("&unknown; &#xD800; &#; & &amp"), "&unknown; &#xD800; &#; & &amp");
}

TEST(S3XmlTest, InitiateMultipartUploadAndEscape) {
  EXPECT_EQ(XmlText("<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key>"
                    "<UploadId>VXBsb2FkIElE.ZWxs-b2==</UploadId></InitiateMultipartUploadResult>",
                    "UploadId"),
            "VXBsb2FkIElE.ZWxs-b2==");
  EXPECT_EQ(XmlEscape("\"e\"<&>'"), "&quot;e&quot;&lt;&amp;&gt;&apos;");
  EXPECT_EQ(XmlDecode(XmlEscape("a\"b<c>&d'e")), "a\"b<c>&d'e");
}

TEST(S3ErrorTest, Classification) {
  ErrorBody slow{"SlowDown", "Please reduce your request rate.", "R1"};
  Status s = AnswerStatus("PUT s3://b/k", 503, slow);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(s.retriable());
  EXPECT_EQ(s.message(),
            "S3 PUT s3://b/k: HTTP 503 SlowDown: Please reduce your request rate. (request id R1)");
  EXPECT_TRUE(AnswerStatus("GET s3://b/k", 400, {"RequestTimeout", "", ""}).retriable());
  EXPECT_TRUE(AnswerStatus("GET s3://b/k", 429, {}).retriable());
  EXPECT_TRUE(AnswerStatus("GET s3://b/k", 500, {}).retriable());

  for (const char* code : {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"}) {
    Status denied = AnswerStatus("PUT s3://b/k", 403, {code, "no", ""});
    EXPECT_EQ(denied.code(), StatusCode::kFailedPrecondition) << code;
    EXPECT_FALSE(denied.retriable()) << code;
    EXPECT_NE(denied.message().find(code), std::string::npos);
  }
  Status missing = AnswerStatus("PUT s3://nope/k", 404,
                                {"NoSuchBucket", "The specified bucket does not exist", ""});
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_FALSE(missing.retriable());
  EXPECT_NE(missing.message().find("s3://nope/k"), std::string::npos);
  // HEAD answers have no body: the status alone names the problem.
  EXPECT_EQ(AnswerStatus("HEAD s3://b", 403, {}).message().find("HTTP 403 Forbidden") !=
                std::string::npos,
            true);
  Status moved = AnswerStatus("HEAD s3://b", 301, {}, "eu-west-1");
  EXPECT_EQ(moved.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(moved.message().find("eu-west-1"), std::string::npos);
  EXPECT_EQ(AnswerStatus("POST s3://b/k", 400, {"MalformedXML", "", ""}).code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rivven::s3
