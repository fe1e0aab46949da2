using System.Text.RegularExpressions;
using Gateway.Interception.Forwarding;

namespace Gateway.Tests.Interception.Forwarding;

/// <summary>
/// Placeholders look like what their variable holds, so that clients accept them: an AWS access key
/// id's is "AKIA" and 16 upper-case letters and digits, a secret access key's 40 base64 characters;
/// every other one keeps the gw-placeholder- form. Each is per sandbox, stable, and recognised in text.
/// </summary>
public sealed partial class PlaceholdersTests
{
    [Theory]
    [InlineData("AWS_ACCESS_KEY_ID")]
    [InlineData("BEDROCK_AWS_ACCESS_KEY_ID")]
    public void AccessKeyIdPlaceholders_AreShapedLikeAccessKeyIds(string variable)
    {
        var placeholders = new Placeholders();

        string placeholder = placeholders.For("dev", variable);

        Assert.Matches(KeyId(), placeholder);
        Assert.StartsWith(Placeholders.KeyIdPrefix, placeholder, StringComparison.Ordinal);
    }

    [Fact]
    public void SecretKeyPlaceholders_AreFortyBase64Characters()
    {
        string placeholder = new Placeholders().For("dev", "AWS_SECRET_ACCESS_KEY");

        Assert.Matches(SecretKey(), placeholder);
    }

    [Fact]
    public void OtherVariables_KeepTheGatewayForm()
    {
        string placeholder = new Placeholders().For("dev", "AWS_SESSION_TOKEN");

        Assert.StartsWith(Placeholders.Prefix, placeholder, StringComparison.Ordinal);
        Assert.Equal(Placeholders.Length, placeholder.Length);
    }

    [Fact]
    public void AwsPlaceholders_ArePerSandboxAndStable()
    {
        var placeholders = new Placeholders();

        string dev = placeholders.For("dev", "AWS_ACCESS_KEY_ID");

        Assert.Equal(dev, placeholders.For("dev", "AWS_ACCESS_KEY_ID"));
        Assert.NotEqual(dev, placeholders.For("ci", "AWS_ACCESS_KEY_ID"));
        Assert.NotEqual(placeholders.For("dev", "AWS_SECRET_ACCESS_KEY"), placeholders.For("ci", "AWS_SECRET_ACCESS_KEY"));
    }

    [Fact]
    public void AwsPlaceholders_AreRecognisedInText_OnlyForTheirSandbox()
    {
        var placeholders = new Placeholders();
        string keyId = placeholders.For("dev", "AWS_ACCESS_KEY_ID");
        string secret = placeholders.For("dev", "AWS_SECRET_ACCESS_KEY");
        string other = placeholders.For("ci", "AWS_ACCESS_KEY_ID");

        Assert.Equal("AWS_ACCESS_KEY_ID", placeholders.FirstIn($"AWS4-HMAC-SHA256 Credential={keyId}/20261205/us-east-1/s3/aws4_request", "dev"));
        Assert.Equal("AWS_SECRET_ACCESS_KEY", placeholders.FirstIn("key=" + secret, "dev"));
        Assert.Null(placeholders.FirstIn($"Credential={other}/20261205", "dev"));
        Assert.Null(placeholders.FirstIn("Credential=AKIAGWPHAAAAAAAAAAAA/20261205", "dev"));
    }

    [GeneratedRegex("^AKIA[A-Z0-9]{16}$")]
    private static partial Regex KeyId();

    [GeneratedRegex("^[A-Za-z0-9+/]{40}$")]
    private static partial Regex SecretKey();
}
