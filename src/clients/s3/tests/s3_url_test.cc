// Virtual-hosted and path-style addressing, without a network.
#include "clients/s3/s3_url.h"

#include <gtest/gtest.h>

namespace rivven::s3 {
namespace {

Endpoint Parse(std::string_view endpoint, std::string_view region = "us-east-1") {
  auto e = ParseEndpoint(endpoint, region);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  return e.ok() ? *e : Endpoint{};
}

TEST(S3UrlTest, AwsDefaultEndpointIsVirtualHosted) {
  const Endpoint aws = Parse("", "eu-central-1");
  EXPECT_EQ(aws.scheme, "https");
  EXPECT_EQ(aws.host, "s3.eu-central-1.amazonaws.com");
  const RequestTarget t = BuildTarget(aws, false, "my-bucket", "dir/my key+1.txt", {});
  EXPECT_EQ(t.url, "https://my-bucket.s3.eu-central-1.amazonaws.com/dir/my%20key%2B1.txt");
  EXPECT_EQ(t.host, "my-bucket.s3.eu-central-1.amazonaws.com");
  EXPECT_EQ(t.path, "/dir/my key+1.txt");
  // Bucket-level requests: "/" with the query in canonical order.
  const RequestTarget list =
      BuildTarget(aws, false, "my-bucket", "", {{"prefix", "a b/"}, {"list-type", "2"}});
  EXPECT_EQ(list.url,
            "https://my-bucket.s3.eu-central-1.amazonaws.com/?list-type=2&prefix=a%20b%2F");
  EXPECT_EQ(list.path, "/");
}

TEST(S3UrlTest, PathStyle) {
  const Endpoint aws = Parse("");
  const RequestTarget t = BuildTarget(aws, true, "my-bucket", "k=v/\u20ac", {{"uploads", ""}});
  EXPECT_EQ(t.url, "https://s3.us-east-1.amazonaws.com/my-bucket/k%3Dv/%E2%82%AC?uploads=");
  EXPECT_EQ(t.host, "s3.us-east-1.amazonaws.com");
  EXPECT_EQ(t.path, "/my-bucket/k=v/\u20ac");
  EXPECT_EQ(BuildTarget(aws, true, "my-bucket", "", {}).path, "/my-bucket");
}

TEST(S3UrlTest, PathStyleWhenVirtualHostingCannotWork) {
  // Dots break the *.s3 wildcard certificate; upper case and '_' are not DNS labels.
  const Endpoint aws = Parse("");
  EXPECT_EQ(BuildTarget(aws, false, "my.bucket", "k", {}).url,
            "https://s3.us-east-1.amazonaws.com/my.bucket/k");
  EXPECT_EQ(BuildTarget(aws, false, "My_Bucket", "k", {}).url,
            "https://s3.us-east-1.amazonaws.com/My_Bucket/k");
  // An IP address or localhost cannot take a bucket label.
  const Endpoint local = Parse("http://127.0.0.1:4568");
  const RequestTarget t = BuildTarget(local, false, "bucket", "a b", {});
  EXPECT_EQ(t.url, "http://127.0.0.1:4568/bucket/a%20b");
  EXPECT_EQ(t.host, "127.0.0.1:4568");
  EXPECT_EQ(BuildTarget(Parse("http://localhost:9000"), false, "bucket", "k", {}).url,
            "http://localhost:9000/bucket/k");
  EXPECT_EQ(BuildTarget(Parse("http://[::1]:9000"), false, "bucket", "k", {}).url,
            "http://[::1]:9000/bucket/k");
}

TEST(S3UrlTest, CustomEndpoints) {
  // A named host is virtual-hosted like AWS unless path style is forced.
  const Endpoint minio = Parse("https://minio.example.com:9443/");
  EXPECT_EQ(minio.port, 9443);
  EXPECT_EQ(minio.base_path, "");
  EXPECT_EQ(BuildTarget(minio, false, "logs", "k", {}).url,
            "https://logs.minio.example.com:9443/k");
  EXPECT_EQ(BuildTarget(minio, true, "logs", "k", {}).url, "https://minio.example.com:9443/logs/k");
  // Default ports are left out of the Host header (that is what curl sends).
  const Endpoint default_port = Parse("https://storage.example.com:443");
  EXPECT_EQ(default_port.port, 0);
  EXPECT_EQ(BuildTarget(default_port, true, "b", "k", {}).host, "storage.example.com");
  // A base path in front of the bucket.
  const Endpoint gateway = Parse("http://gw.example.com/s3%20api/");
  EXPECT_EQ(gateway.base_path, "/s3 api");
  const RequestTarget t = BuildTarget(gateway, true, "b", "k", {});
  EXPECT_EQ(t.url, "http://gw.example.com/s3%20api/b/k");
  EXPECT_EQ(t.path, "/s3 api/b/k");
}

TEST(S3UrlTest, BadEndpoints) {
  EXPECT_FALSE(ParseEndpoint("minio:9000", "us-east-1").ok());
  EXPECT_FALSE(ParseEndpoint("ftp://host", "us-east-1").ok());
  EXPECT_FALSE(ParseEndpoint("http://user:secret@host", "us-east-1").ok());
  EXPECT_FALSE(ParseEndpoint("http://host?x=1", "us-east-1").ok());
  EXPECT_FALSE(ParseEndpoint("http://host:99999", "us-east-1").ok());
  EXPECT_FALSE(ParseEndpoint("http://:80", "us-east-1").ok());
  EXPECT_FALSE(ParseEndpoint("", "").ok());
  // The secret part of a rejected endpoint is not echoed.
  const auto s = ParseEndpoint("http://user:secret@host", "us-east-1");
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.status().message().find("secret"), std::string::npos);
}

TEST(S3UrlTest, VirtualHostableBuckets) {
  EXPECT_TRUE(IsVirtualHostableBucket("my-bucket-01"));
  EXPECT_FALSE(IsVirtualHostableBucket("ab"));
  EXPECT_FALSE(IsVirtualHostableBucket("-ab"));
  EXPECT_FALSE(IsVirtualHostableBucket("a.b.c"));
  EXPECT_FALSE(IsVirtualHostableBucket(std::string(64, 'a')));
}

}  // namespace
}  // namespace rivven::s3
