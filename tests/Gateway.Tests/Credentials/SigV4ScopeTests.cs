using Gateway.Credentials;

namespace Gateway.Tests.Credentials;

/// <summary>
/// The scope a request is re-signed in: the kit's region and service first, then the AWS host
/// name (signing names mapped: bedrock-runtime signs as bedrock), then the sandbox's own signature.
/// </summary>
public sealed class SigV4ScopeTests
{
    [Theory]
    [InlineData("bedrock-runtime.us-east-1.amazonaws.com", "us-east-1", "bedrock")]
    [InlineData("bedrock.eu-central-1.amazonaws.com", "eu-central-1", "bedrock")]
    [InlineData("bedrock-agent-runtime.us-west-2.amazonaws.com", "us-west-2", "bedrock")]
    [InlineData("s3.us-west-2.amazonaws.com", "us-west-2", "s3")]
    [InlineData("my-bucket.s3.us-west-2.amazonaws.com", "us-west-2", "s3")]
    [InlineData("s3.dualstack.eu-west-1.amazonaws.com", "eu-west-1", "s3")]
    [InlineData("s3-us-west-1.amazonaws.com", "us-west-1", "s3")]
    [InlineData("s3.amazonaws.com", "us-east-1", "s3")]
    [InlineData("sts.amazonaws.com", "us-east-1", "sts")]
    [InlineData("sts.us-gov-west-1.amazonaws.com", "us-gov-west-1", "sts")]
    [InlineData("runtime.sagemaker.ap-southeast-2.amazonaws.com", "ap-southeast-2", "sagemaker")]
    [InlineData("abc123.execute-api.eu-west-3.amazonaws.com", "eu-west-3", "execute-api")]
    [InlineData("sqs.cn-north-1.amazonaws.com.cn", "cn-north-1", "sqs")]
    [InlineData("email.us-east-2.amazonaws.com", "us-east-2", "ses")]
    public void AwsHostNames_GiveRegionAndSigningName(string host, string region, string service)
    {
        Assert.True(SigV4Scope.TryResolve(null, null, host, null, out SigV4Scope scope));
        Assert.Equal(new SigV4Scope(region, service), scope);
    }

    [Fact]
    public void TheKit_WinsOverTheHostName()
    {
        Assert.True(SigV4Scope.TryResolve("eu-west-1", null, "bedrock-runtime.us-east-1.amazonaws.com", null, out SigV4Scope scope));
        Assert.Equal(new SigV4Scope("eu-west-1", "bedrock"), scope);
    }

    [Fact]
    public void OtherNames_TakeTheScopeTheSandboxSignedWith()
    {
        const string Sent = "AWS4-HMAC-SHA256 Credential=AKIAGWPHAAAAAAAAAAAA/20261205/eu-north-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=00";

        Assert.True(SigV4Scope.TryResolve(null, null, "vpce-1.bedrock.example.test", Sent, out SigV4Scope scope));
        Assert.Equal(new SigV4Scope("eu-north-1", "bedrock"), scope);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer abc")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIA/20261205/us-east-1/aws4_request, SignedHeaders=host, Signature=00")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIA/20261205/US EAST/x/aws4_request, SignedHeaders=host, Signature=00")]
    public void OtherNames_WithoutAUsableSignature_HaveNoScope(string? sent)
    {
        Assert.False(SigV4Scope.TryResolve(null, null, "api.example.test", sent, out _));
    }

    [Fact]
    public void TheSandboxSignedHeaders_AreRead()
    {
        Assert.True(SigV4Authorization.TryParse(
            "AWS4-HMAC-SHA256 Credential=AKIAX/20261205/us-east-1/s3/aws4_request, SignedHeaders=content-md5;host;x-amz-date, Signature=00", out SigV4Authorization sent));

        Assert.True(sent.Signed("Content-MD5"));
        Assert.True(sent.Signed("host"));
        Assert.False(sent.Signed("user-agent"));
        Assert.False(sent.Signed("content"));
    }
}
