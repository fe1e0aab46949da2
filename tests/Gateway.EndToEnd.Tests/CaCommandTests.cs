namespace Gateway.EndToEnd.Tests;

/// <summary>`gateway ca export|rotate` and the CA's creation by `gateway run`, as the built executable.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CaCommandTests : IDisposable
{
    private readonly StateDirectory _state = new();

    private string CaFile => Path.Combine(_state.Path, "ca", "egress-gateway-ca.pem");

    private string KeyFile => Path.Combine(_state.Path, "ca", "egress-gateway-ca.key.pem");

    public void Dispose() => _state.Dispose();

    [Fact]
    public async Task Export_PrintsThePemOnStdout_AndTheTrustHintOnStderr()
    {
        GatewayResult export = await _state.RunAsync("ca", "export");

        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Equal(File.ReadAllText(CaFile).Trim(), export.Stdout.Trim());
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", export.Stdout, StringComparison.Ordinal);
        Assert.Equal(
            [$"gateway: created the interception CA {CaFile}", "gateway: trust it in a sandbox with `curl --cacert FILE`, or copy it to /usr/local/share/ca-certificates/egress-gateway.crt and run update-ca-certificates"],
            export.StderrLines);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyFile));
    }

    [Fact]
    public async Task Run_CreatesTheCaOnFirstStart_SaysWhere_AndRotateReplacesIt()
    {
        // Free ports: parallel test runs on this machine must not fight over 3128 and 9090.
        var ephemeralPorts = new Dictionary<string, string?>
        {
            ["GATEWAY__LISTEN__FORWARD"] = $"127.0.0.1:{RunCommandTests.FreePort()}",
            ["GATEWAY__LISTEN__METRICS"] = $"127.0.0.1:{RunCommandTests.FreePort()}",
        };
        using (RunningGateway gateway = GatewayProcess.Start(["--state-dir", _state.Path, "run"], ephemeralPorts))
        {
            await WaitForAsync(Path.Combine(_state.Path, "admin.sock"), gateway);
            gateway.Terminate();
            GatewayResult run = await gateway.WaitAsync();

            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains($"interception CA created: {CaFile}", run.Stdout, StringComparison.Ordinal);
        }

        string first = await File.ReadAllTextAsync(CaFile);
        GatewayResult rotate = await _state.RunAsync("ca", "rotate");
        GatewayResult export = await _state.RunAsync("ca", "export");

        Assert.True(rotate.ExitCode == 0, rotate.ToString());
        Assert.StartsWith($"Rotated the interception CA: {CaFile}", rotate.Stdout, StringComparison.Ordinal);
        Assert.NotEqual(first.Trim(), export.Stdout.Trim());
        Assert.Equal(File.ReadAllText(CaFile).Trim(), export.Stdout.Trim());
    }

    private static async Task WaitForAsync(string path, RunningGateway gateway)
    {
        using var timeout = new CancellationTokenSource(GatewayProcess.Timeout);
        while (!File.Exists(path))
        {
            if (timeout.IsCancellationRequested)
            {
                gateway.Kill();
                Assert.Fail($"{path} did not appear within {GatewayProcess.Timeout.TotalSeconds:0}s: {await gateway.WaitAsync()}");
            }

            await Task.Delay(50, CancellationToken.None);
        }
    }
}
