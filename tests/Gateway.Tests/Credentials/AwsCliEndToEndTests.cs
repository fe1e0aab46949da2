using System.Collections.Frozen;
using System.Net;
using Gateway.Configuration;
using Gateway.Interception.Certificates;
using Gateway.Interception.Forwarding;
using Gateway.Tests.Listeners;
using Gateway.Tests.Interception;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Credentials;

/// <summary>
/// Issue 18, SigV4: the real AWS CLI runs in the sandbox's role with placeholder keys (an AKIA-shaped
/// key id, a 40-character secret, a placeholder session token) through the gateway to origins that
/// verify every signature with botocore and the REAL keys. STS (a form POST whose body the gateway
/// hashes; scope from the sandbox's own signature) and S3 put-object / get-object (path-style,
/// session token, kit-set scope) succeed; an origin expecting another secret and the placeholder keys
/// sent straight to the origin both fail; curl's own --aws-sigv4 over HTTP/2 passes too; presigned, chunk-signed and
/// oversized requests are refused with a message, and a key-id placeholder toward another host is a leak.
/// </summary>
public sealed class AwsCliEndToEndTests : IAsyncLifetime
{
    private const string RealKeyId = "AKIAREALGATEWAYKEY01";
    private const string RealSecret = "Real/SecretAccessKey+0123456789abcdefghij";
    private const string RealToken = "IQoJb3JpZ2luX2VjEREAL/session/token+value==";
    private readonly string _suffix = "T" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
    private string _directory = null!;
    private InterceptTestCa _ca = null!;
    private AwsOrigin _origin = null!;
    private AwsOrigin _wrongKeyOrigin = null!;
    private GatewayUnderTest _gateway = null!;
    private string _gatewayCa = null!;
    private readonly CapturedLogs _logs = new();

    private string KeyIdVariable => _suffix + "_AWS_ACCESS_KEY_ID";

    private string SecretVariable => _suffix + "_AWS_SECRET_ACCESS_KEY";

    private string TokenVariable => _suffix + "_AWS_SESSION_TOKEN";

    public async Task InitializeAsync()
    {
        _directory = Directory.CreateTempSubdirectory("gw-aws-cli-").FullName;
        Environment.SetEnvironmentVariable(KeyIdVariable, RealKeyId);
        Environment.SetEnvironmentVariable(SecretVariable, RealSecret);
        Environment.SetEnvironmentVariable(TokenVariable, RealToken);
        Environment.SetEnvironmentVariable(KeyIdVariable + "_OTHER", "other-api-token");
        string kit = Path.Combine(_directory, "spec.yaml");
        await File.WriteAllTextAsync(kit, $$"""
            schemaVersion: "1"
            kind: mixin
            name: aws-kit
            network:
              allowedDomains: [s3.example.test, sts.example.test, api.example.test]
              serviceDomains:
                s3.example.test: aws-s3
                sts.example.test: aws-sts
                api.example.test: other-api
              serviceAuth:
                aws-s3: { scheme: aws-sigv4, region: us-east-1, service: s3 }
                aws-sts: { scheme: aws-sigv4 }
                other-api: { scheme: bearer }
            credentials:
              sources:
                aws-s3:
                  aws:
                    accessKeyId: { env: [{{KeyIdVariable}}] }
                    secretAccessKey: { env: [{{SecretVariable}}] }
                    sessionToken: { env: [{{TokenVariable}}] }
                other-api: { env: [{{KeyIdVariable}}_OTHER] }
                aws-sts:
                  aws:
                    accessKeyId: { env: [{{KeyIdVariable}}] }
                    secretAccessKey: { env: [{{SecretVariable}}] }
            environment:
              proxyManaged: [{{KeyIdVariable}}, {{SecretVariable}}, {{TokenVariable}}]
            """);
        _ca = new InterceptTestCa();
        _origin = await AwsOrigin.StartAsync(_ca, RealKeyId, RealSecret, RealToken, tokenServices: "s3");
        _wrongKeyOrigin = await AwsOrigin.StartAsync(_ca, RealKeyId, "Another/SecretAccessKey+0123456789abcdefg", RealToken, tokenServices: "s3");
        var hosts = new Dictionary<string, IPAddress>(GatewayUnderTest.TestHosts)
        {
            ["s3.example.test"] = IPAddress.Loopback,
            ["sts.example.test"] = IPAddress.Loopback,
        };
        _gateway = await GatewayUnderTest.StartAsync(
            [["policy", "set-default", "deny-all"]],
            config => config with
            {
                Kits = [kit],
                Sandboxes = [new SandboxConfig("dev", [IPAddress.Loopback], ["aws-kit"], null)],
                Trust = new TrustConfig([_ca.PemPath]),
                Resolve = new ResolveConfig(hosts.ToFrozenDictionary()),
            },
            logging: l => l.SetMinimumLevel(LogLevel.Trace).AddProvider(_logs));
        _gatewayCa = Path.Combine(_directory, "gateway-ca.pem");
        await File.WriteAllTextAsync(_gatewayCa, _gateway.Services.GetRequiredService<CertificateAuthority>().CertificatePem);
        await File.WriteAllTextAsync(Path.Combine(_directory, "config"), "[default]\nregion = us-east-1\ns3 =\n    addressing_style = path\n");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _origin.DisposeAsync();
        await _wrongKeyOrigin.DisposeAsync();
        _ca.Dispose();
        Environment.SetEnvironmentVariable(KeyIdVariable, null);
        Environment.SetEnvironmentVariable(SecretVariable, null);
        Environment.SetEnvironmentVariable(TokenVariable, null);
        Environment.SetEnvironmentVariable(KeyIdVariable + "_OTHER", null);
        Directory.Delete(_directory, recursive: true);
    }

    [AwsCliFact]
    public async Task StsGetCallerIdentity_SignedWithPlaceholders_IsVerifiedWithTheRealKeys()
    {
        var (exit, stdout, stderr) = await AwsAsync(withToken: false, "sts", "get-caller-identity", "--endpoint-url", $"https://sts.example.test:{_origin.Port}");

        Assert.True(exit == 0, stderr + string.Join("\n", _origin.Requests()));
        Assert.Contains("arn:aws:iam::123456789012:user/verified-by-origin", stdout, StringComparison.Ordinal);
        OriginRequest request = Assert.Single(_origin.Requests(), r => r.Host.StartsWith("sts.", StringComparison.Ordinal));
        Assert.Equal(("POST", "ok", ""), (request.Method, request.Verdict, request.Payload)); // no declared hash: the gateway hashed the body
    }

    [AwsCliFact]
    public async Task S3PutThenGet_WithASessionToken_AreVerifiedWithTheRealKeys()
    {
        string upload = Path.Combine(_directory, "upload.txt");
        string download = Path.Combine(_directory, "download.txt");
        await File.WriteAllTextAsync(upload, "hello from the sandbox, signed by the gateway\n");
        string endpoint = $"https://s3.example.test:{_origin.Port}";

        var put = await AwsAsync(withToken: true, "s3api", "put-object", "--bucket", "agent-bucket", "--key", "dir/hello world.txt", "--body", upload, "--endpoint-url", endpoint);
        var get = await AwsAsync(withToken: true, "s3api", "get-object", "--bucket", "agent-bucket", "--key", "dir/hello world.txt", download, "--endpoint-url", endpoint);

        Assert.True(put.Exit == 0, put.Stderr);
        Assert.True(get.Exit == 0, get.Stderr);
        Assert.Equal(await File.ReadAllTextAsync(upload), await File.ReadAllTextAsync(download));
        IReadOnlyList<OriginRequest> s3 = [.. _origin.Requests().Where(r => r.Host.StartsWith("s3.", StringComparison.Ordinal))];
        Assert.Equal(["PUT ok", "GET ok"], s3.Select(r => r.Method + " " + r.Verdict));
        Assert.Equal(["UNSIGNED-PAYLOAD", Gateway.Credentials.SigV4Signer.EmptyPayloadHash], s3.Select(r => r.Payload)); // declared by the CLI, signed as sent
        Assert.All(s3, r => Assert.StartsWith("/agent-bucket/dir/hello%20world.txt", r.Target, StringComparison.Ordinal));
        foreach (string output in (string[])[put.Stdout, put.Stderr, get.Stdout, get.Stderr, _logs.ToString()])
        {
            Assert.DoesNotContain(RealSecret, output, StringComparison.Ordinal);
            Assert.DoesNotContain(RealToken, output, StringComparison.Ordinal);
        }
    }

    [AwsCliFact]
    public async Task CurlsOwnSigV4_OverHttp2WithPlaceholders_IsVerifiedWithTheRealKeys()
    {
        Placeholders placeholders = _gateway.Services.GetRequiredService<Placeholders>();
        string user = placeholders.For("dev", KeyIdVariable) + ":" + placeholders.For("dev", SecretVariable);

        var (exit, body, stderr) = await Curl.RunAsync("--cacert", _gatewayCa, "-x", _gateway.ProxyUrl, "--http2", "-w", "\nhttp/%{http_version}",
            "--aws-sigv4", "aws:amz:us-east-1:sts", "--user", user, "--data", "Action=GetCallerIdentity&Version=2011-06-15",
            $"https://sts.example.test:{_origin.Port}/");

        Assert.True(exit == 0, stderr);
        Assert.Contains("verified-by-origin", body, StringComparison.Ordinal);
        Assert.EndsWith("http/2", body, StringComparison.Ordinal);
        Assert.Equal("ok", Assert.Single(_origin.Requests()).Verdict);
    }

    [AwsCliFact]
    public async Task AnOriginExpectingAnotherSecret_RejectsTheRequest()
    {
        var (exit, _, stderr) = await AwsAsync(withToken: false, "sts", "get-caller-identity", "--endpoint-url", $"https://sts.example.test:{_wrongKeyOrigin.Port}");

        Assert.NotEqual(0, exit);
        Assert.Contains("SignatureDoesNotMatch", stderr, StringComparison.Ordinal);
        Assert.Equal("SignatureDoesNotMatch", Assert.Single(_wrongKeyOrigin.Requests()).Verdict);
    }

    [AwsCliFact]
    public async Task ThePlaceholderKeysAlone_AreRejectedByTheOrigin()
    {
        var (exit, _, stderr) = await AwsAsync(withToken: false, ["sts", "get-caller-identity", "--endpoint-url", $"https://127.0.0.1:{_origin.Port}", "--no-verify-ssl"], viaGateway: false);

        Assert.NotEqual(0, exit);
        Assert.True(stderr.Contains("SignatureDoesNotMatch", StringComparison.Ordinal), stderr);
        Assert.StartsWith("signed with access key id " + Placeholders.KeyIdPrefix, Assert.Single(_origin.Requests()).Verdict, StringComparison.Ordinal);
    }

    [AwsCliFact]
    public async Task PresignedUrls_AreRefusedWithAMessage()
    {
        var (_, url, stderr) = await AwsAsync(withToken: false, "s3", "presign", "s3://agent-bucket/k", "--endpoint-url", $"https://s3.example.test:{_origin.Port}");
        Assert.Contains("X-Amz-Signature=", url, StringComparison.Ordinal);

        var (_, body, _) = await Curl.RunAsync("--cacert", _gatewayCa, "-x", _gateway.ProxyUrl, "-w", "%{http_code}", url.Trim());

        Assert.EndsWith("400", body, StringComparison.Ordinal);
        Assert.Contains("presigned URL", body, StringComparison.Ordinal);
        Assert.Empty(_origin.Requests());
        Assert.Empty(stderr);
    }

    [AwsCliFact]
    public async Task ChunkSignedStreams_AreRefusedWithAMessage()
    {
        var (_, body, _) = await Curl.RunAsync("--cacert", _gatewayCa, "-x", _gateway.ProxyUrl, "-w", "%{http_code}", "-X", "PUT",
            "-H", "x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "--data-binary", "0;chunk-signature=00\r\n\r\n",
            $"https://s3.example.test:{_origin.Port}/agent-bucket/streamed");

        Assert.EndsWith("400", body, StringComparison.Ordinal);
        Assert.Contains("aws-chunked stream with a signature per chunk", body, StringComparison.Ordinal);
        Assert.Empty(_origin.Requests());
    }

    [AwsCliFact]
    public async Task BodiesPastTheBound_WithoutADeclaredHash_Are413WithTheFix()
    {
        string large = Path.Combine(_directory, "large.bin");
        await File.WriteAllBytesAsync(large, new byte[Gateway.Credentials.SigV4Body.MaxLength + 1]);

        var (_, body, _) = await Curl.RunAsync("--cacert", _gatewayCa, "-x", _gateway.ProxyUrl, "-w", "%{http_code}", "-X", "POST",
            "-H", "Authorization: AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20261205/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00",
            "--data-binary", "@" + large, $"https://sts.example.test:{_origin.Port}/");

        Assert.EndsWith("413", body, StringComparison.Ordinal);
        Assert.Contains("Send x-amz-content-sha256", body, StringComparison.Ordinal);
        Assert.Empty(_origin.Requests());
    }

    [AwsCliFact]
    public async Task AnAwsKeyIdPlaceholder_SentToAnotherInterceptedHost_IsRefusedAsALeak()
    {
        string keyId = _gateway.Services.GetRequiredService<Placeholders>().For("dev", KeyIdVariable);

        var (_, body, _) = await Curl.RunAsync("--cacert", _gatewayCa, "-x", _gateway.ProxyUrl, "-w", "%{http_code}",
            "-H", $"Authorization: AWS4-HMAC-SHA256 Credential={keyId}/20261205/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00",
            $"https://api.example.test:{_origin.Port}/");

        Assert.EndsWith("403", body, StringComparison.Ordinal);
        Assert.Contains($"the placeholder of {KeyIdVariable} may only be sent to the hosts its credential is bound to", body, StringComparison.Ordinal);
        Assert.Empty(_origin.Requests());
    }

    // The sandbox: the AWS CLI with nothing but placeholders, the proxy and the gateway's CA.
    private Task<(int Exit, string Stdout, string Stderr)> AwsAsync(bool withToken, params string[] args) => AwsAsync(withToken, args, viaGateway: true);

    private Task<(int Exit, string Stdout, string Stderr)> AwsAsync(bool withToken, string[] args, bool viaGateway)
    {
        Placeholders placeholders = _gateway.Services.GetRequiredService<Placeholders>();
        return ProcessRunner.RunAsync(AwsCliFactAttribute.Aws, args, start =>
        {
            foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal) || k.StartsWith(_suffix, StringComparison.Ordinal) || k.Contains("proxy", StringComparison.OrdinalIgnoreCase)).ToList())
            {
                start.Environment.Remove(name);
            }

            start.Environment["HOME"] = _directory;
            start.Environment["AWS_CONFIG_FILE"] = Path.Combine(_directory, "config");
            start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(_directory, "no-credentials");
            start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
            start.Environment["AWS_PAGER"] = "";
            start.Environment["AWS_ACCESS_KEY_ID"] = placeholders.For("dev", KeyIdVariable);
            start.Environment["AWS_SECRET_ACCESS_KEY"] = placeholders.For("dev", SecretVariable);
            if (withToken)
            {
                start.Environment["AWS_SESSION_TOKEN"] = placeholders.For("dev", TokenVariable);
            }

            if (viaGateway)
            {
                start.Environment["HTTPS_PROXY"] = _gateway.ProxyUrl;
                start.Environment["AWS_CA_BUNDLE"] = _gatewayCa;
            }
        });
    }
}
