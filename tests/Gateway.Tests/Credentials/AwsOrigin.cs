using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Gateway.Tests.Interception;

namespace Gateway.Tests.Credentials;

/// <summary>
/// testdata/sigv4/aws_origin.py serving HTTPS on loopback for s3.example.test and sts.example.test:
/// every request is verified with botocore and the real keys it was started with before it is answered.
/// </summary>
internal sealed class AwsOrigin : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private AwsOrigin(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    private string LogPath => Path.Combine(_directory, "requests.jsonl");

    /// <summary>Starts an origin that accepts only signatures of (<paramref name="keyId"/>, <paramref name="secret"/>), with <paramref name="token"/> on the requests of <paramref name="tokenServices"/>.</summary>
    public static async Task<AwsOrigin> StartAsync(InterceptTestCa ca, string keyId, string secret, string? token, string tokenServices = "s3 sts")
    {
        string directory = Directory.CreateTempSubdirectory("gw-aws-origin-").FullName;
        using System.Security.Cryptography.X509Certificates.X509Certificate2 certificate = ca.Issue("s3.example.test", "sts.example.test");
        string certPath = Path.Combine(directory, "origin.pem");
        string keyPath = Path.Combine(directory, "origin.key");
        await File.WriteAllTextAsync(certPath, certificate.ExportCertificatePem());
        using (System.Security.Cryptography.ECDsa key = certificate.GetECDsaPrivateKey()!)
        {
            await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());
        }

        var start = new ProcessStartInfo(Botocore.Python) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in (string[])[Botocore.Script, "serve", certPath, keyPath, Path.Combine(directory, "requests.jsonl")])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ORIGIN_KEY_ID"] = keyId;
        start.Environment["ORIGIN_SECRET"] = secret;
        start.Environment["ORIGIN_REGION"] = "us-east-1";
        if (token is not null)
        {
            start.Environment["ORIGIN_TOKEN"] = token;
            start.Environment["ORIGIN_TOKEN_SERVICES"] = tokenServices;
        }

        Process process = Process.Start(start)!;
        string? line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (line is null || !line.StartsWith("PORT ", StringComparison.Ordinal))
        {
            string error = await process.StandardError.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10));
            process.Kill();
            throw new InvalidOperationException("aws_origin.py did not start: " + line + error);
        }

        return new AwsOrigin(process, directory, int.Parse(line[5..], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Every request the origin received, with its verdict ("ok" or why the signature failed).</summary>
    public IReadOnlyList<OriginRequest> Requests()
    {
        if (!File.Exists(LogPath))
        {
            return [];
        }

        var requests = new List<OriginRequest>();
        foreach (string line in File.ReadAllLines(LogPath))
        {
            requests.Add(JsonSerializer.Deserialize<OriginRequest>(line, s_json)!);
        }

        return requests;
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            _process.Kill();
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static readonly JsonSerializerOptions s_json = new() { PropertyNameCaseInsensitive = true };
}

/// <summary>One request as the origin logged it.</summary>
internal sealed record OriginRequest(string Method, string Host, string Target, string Verdict, string Payload);
