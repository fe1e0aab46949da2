using System.Text;
using Gateway.Credentials;

namespace Gateway.Tests.Credentials;

/// <summary>
/// The signer against AWS's published SigV4 test suite: every case's Authorization value byte for
/// byte, and for get-vanilla the string to sign the suite publishes.
/// </summary>
public sealed class SigV4SignerTests
{
    [Theory]
    [MemberData(nameof(SuiteNames))]
    public void EverySuiteCase_SignsToThePublishedAuthorization(string name)
    {
        SigV4SuiteCase suite = SigV4SuiteCase.Named(name);
        SigV4Header[] headers = suite.SignedHeaders();
        var input = new SigV4Input
        {
            Method = suite.Method,
            Path = suite.Path,
            Query = suite.Query,
            Headers = headers,
            PayloadHash = suite.PayloadHash,
            Region = SigV4SuiteCase.Region,
            Service = SigV4SuiteCase.Service,
        };

        string authorization = SigV4Signer.Authorization(input, SigV4SuiteCase.AccessKeyId, SigV4SuiteCase.SecretAccessKey, SigV4SuiteCase.Time, new SigV4SigningKeys());

        Assert.Equal(suite.Authorization, authorization);
    }

    public static TheoryData<string> SuiteNames() => SigV4SuiteCase.Names();

    [Fact]
    public void GetVanilla_HasThePublishedCanonicalRequestAndStringToSign()
    {
        SigV4SuiteCase suite = SigV4SuiteCase.Named("get-vanilla");
        SigV4Header[] headers = suite.SignedHeaders();
        var input = new SigV4Input
        {
            Method = suite.Method, Path = suite.Path, Query = suite.Query, Headers = headers, PayloadHash = suite.PayloadHash,
            Region = SigV4SuiteCase.Region, Service = SigV4SuiteCase.Service,
        };

        string canonical = SigV4Signer.CanonicalRequest(input);
        Span<byte> stringToSign = stackalloc byte[256];
        int length = SigV4Signer.WriteStringToSign(Encoding.UTF8.GetBytes(canonical), SigV4SuiteCase.Region, SigV4SuiteCase.Service, SigV4SuiteCase.Time, stringToSign);

        Assert.Equal(
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            canonical);
        Assert.Equal(
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
            Encoding.UTF8.GetString(stringToSign[..length]));
    }

    [Fact]
    public void AnotherSecret_GivesAnotherSignature()
    {
        SigV4SuiteCase suite = SigV4SuiteCase.Named("get-vanilla");
        SigV4Header[] headers = suite.SignedHeaders();
        var input = new SigV4Input
        {
            Method = suite.Method, Path = suite.Path, Query = suite.Query, Headers = headers, PayloadHash = suite.PayloadHash,
            Region = SigV4SuiteCase.Region, Service = SigV4SuiteCase.Service,
        };

        string authorization = SigV4Signer.Authorization(input, SigV4SuiteCase.AccessKeyId, "not-the-example-secret", SigV4SuiteCase.Time, new SigV4SigningKeys());

        Assert.NotEqual(suite.Authorization, authorization);
    }

    [Theory]
    [InlineData("/a/./b/../c", "/a/c")]
    [InlineData("//a//b/", "/a/b/")]
    [InlineData("/a%20b/c%2Fd", "/a%2520b/c%252Fd")]
    [InlineData("/..", "/")]
    [InlineData("", "/")]
    public void PathsOfServicesOtherThanS3_AreNormalizedAndEncodedTwice(string path, string canonicalPath)
    {
        var input = new SigV4Input
        {
            Method = "GET", Path = path, Query = "", Headers = (SigV4Header[])[new("Host", "example.amazonaws.com")], PayloadHash = SigV4Signer.EmptyPayloadHash,
            Region = "us-east-1", Service = "bedrock",
        };

        Assert.StartsWith("GET\n" + canonicalPath + "\n", SigV4Signer.CanonicalRequest(input), StringComparison.Ordinal);
    }

    [Fact]
    public void S3Paths_AreSignedAsSent()
    {
        var input = new SigV4Input
        {
            Method = "GET", Path = "/bucket/a%20b/./c", Query = "", Headers = (SigV4Header[])[new("Host", "s3.amazonaws.com")], PayloadHash = "UNSIGNED-PAYLOAD",
            Region = "us-east-1", Service = "s3",
        };

        Assert.StartsWith("GET\n/bucket/a%20b/./c\n", SigV4Signer.CanonicalRequest(input), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("b=2&a=1", "a=1&b=2")]
    [InlineData("acl", "acl=")]
    [InlineData("a=x%2fy&a=b", "a=b&a=x%2Fy")]
    [InlineData("k=a b", "k=a%20b")]
    [InlineData("&&k=v&", "k=v")]
    public void Queries_AreDecodedEncodedAgainAndSorted(string query, string canonicalQuery)
    {
        var input = new SigV4Input
        {
            Method = "GET", Path = "/", Query = query, Headers = (SigV4Header[])[new("Host", "example.amazonaws.com")], PayloadHash = SigV4Signer.EmptyPayloadHash,
            Region = "us-east-1", Service = "bedrock",
        };

        Assert.StartsWith("GET\n/\n" + canonicalQuery + "\n", SigV4Signer.CanonicalRequest(input), StringComparison.Ordinal);
    }

    [Fact]
    public void SigningKeys_AreCachedPerSecretDateRegionAndService()
    {
        var keys = new SigV4SigningKeys();
        byte[] first = keys.For("secret", 20150830, "us-east-1", "s3");

        Assert.Same(first, keys.For("secret", 20150830, "us-east-1", "s3"));
        Assert.NotEqual(first, keys.For("secret", 20150831, "us-east-1", "s3"));
        Assert.NotEqual(first, keys.For("secret", 20150830, "us-west-2", "s3"));
        Assert.NotEqual(first, keys.For("secret", 20150830, "us-east-1", "sts"));
        Assert.NotEqual(first, keys.For("other", 20150830, "us-east-1", "s3"));
        Assert.Equal(first, SigV4SigningKeys.Derive("secret", 20150830, "us-east-1", "s3"));
    }
}
