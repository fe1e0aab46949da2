using System.Diagnostics;
using System.Text.Json;

namespace Gateway.Tests.Credentials;

/// <summary>
/// botocore (Debian python3-botocore) as an independent SigV4 implementation:
/// testdata/sigv4/aws_origin.py verifies requests with it, in batch (<see cref="CheckAsync"/>) or as an HTTPS origin.
/// </summary>
internal static class Botocore
{
    public const string Python = "/usr/bin/python3";

    public static string Script => Path.Combine(AppContext.BaseDirectory, "testdata", "sigv4", "aws_origin.py");

    /// <summary>Why botocore cannot run here, or null.</summary>
    public static string? Missing =>
        !File.Exists(Python) ? "needs /usr/bin/python3: apt-get install python3-botocore (test.sh does as root)"
        : !Directory.Exists("/usr/lib/python3/dist-packages/botocore") ? "needs python3-botocore: apt-get install python3-botocore (test.sh does as root)"
        : null;

    /// <summary>botocore's verdict on each case: "ok" or why the signature does not hold.</summary>
    public static async Task<string[]> CheckAsync(IReadOnlyList<VerifyCase> cases)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Script);
        start.ArgumentList.Add("check");
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(JsonSerializer.Serialize(cases, s_json));
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        string output = await stdout.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(process.ExitCode == 0, "aws_origin.py check failed: " + await stderr.WaitAsync(TimeSpan.FromSeconds(10)));
        return JsonSerializer.Deserialize<string[]>(output)!;
    }

    private static readonly JsonSerializerOptions s_json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
}

/// <summary>One request as the upstream receives it, with the real keys botocore verifies it against.</summary>
internal sealed record VerifyCase(
    string Method, string Target, string[][] Headers, string BodyHex, string KeyId, string Secret, string? Token, string Region, string Service);
