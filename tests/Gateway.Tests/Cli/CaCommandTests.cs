using System.Security.Cryptography.X509Certificates;
using Gateway.Cli;
using Gateway.Configuration;
using Gateway.Hosting;
using Gateway.Interception.Certificates;
using Gateway.Tests.Interception;
using Gateway.Tests.Listeners;
using Gateway.Tests.Protocols;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Cli;

public sealed class CaCommandTests : IDisposable
{
    private readonly string _stateDir = Directory.CreateTempSubdirectory("gw-ca-cli-").FullName;

    private string CertificatePath => Path.Combine(_stateDir, "ca", CertificateAuthority.CertificateFileName);

    [OpenSslFact]
    public async Task Export_WithNoCaYet_CreatesItAndPrintsOnlyItsPemOnStdout()
    {
        (int exit, string stdout, string stderr) = Run("ca", "export");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", stdout, StringComparison.Ordinal);
        Assert.Equal("-----END CERTIFICATE-----", stdout.TrimEnd().Split('\n')[^1]);
        Assert.Equal(File.ReadAllText(CertificatePath).Trim(), stdout.Trim());
        Assert.DoesNotContain("PRIVATE KEY", stdout, StringComparison.Ordinal);
        Assert.Contains("curl --cacert", stderr, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_stateDir, "ca", CertificateAuthority.KeyFileName)));

        string exported = Path.Combine(_stateDir, "exported.pem");
        await File.WriteAllTextAsync(exported, stdout);
        (int parsed, string text) = await OpenSsl.RunAsync("x509", "-noout", "-text", "-in", exported);
        Assert.True(parsed == 0, text);
        Assert.Contains("CA:TRUE", text, StringComparison.Ordinal);
        Assert.Contains("Egress Gateway Local Interception CA", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_Twice_PrintsTheSameCertificate()
    {
        (_, string first, _) = Run("ca", "export");
        (int exit, string second, string stderr) = Run("ca", "export");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal(first, second);
        Assert.DoesNotContain("created", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Rotate_WithNoDaemon_ReplacesTheFiles()
    {
        (_, string before, _) = Run("ca", "export");

        (int exit, string stdout, string stderr) = Run("ca", "rotate");
        (_, string after, _) = Run("ca", "export");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.NotEqual(before, after);
        using X509Certificate2 rotated = X509Certificate2.CreateFromPem(after);
        Assert.Contains(rotated.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256), stdout, StringComparison.Ordinal);
        Assert.Contains("gateway ca export", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void BrokenKey_FailsWithOneLineNamingTheFile()
    {
        Run("ca", "export");
        string key = Path.Combine(_stateDir, "ca", CertificateAuthority.KeyFileName);
        File.WriteAllText(key, "not a key");

        (int exit, string stdout, string stderr) = Run("ca", "export");

        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Empty(stdout);
        Assert.StartsWith($"gateway: {key}: ", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Help_ShowsAnExample()
    {
        foreach (string[] args in new[] { new[] { "ca", "--help" }, ["ca", "export", "--help"], ["ca", "rotate", "--help"] })
        {
            (int exit, string stdout, _) = Run(args);

            Assert.Equal(ExitCodes.Ok, exit);
            Assert.Contains("Example", stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Daemon_CreatesTheCaOnFirstStart_AndRotateSwitchesItsLeavesAtOnce()
    {
        await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync();
        LeafCertificateCache leaves = gateway.Services.GetRequiredService<LeafCertificateCache>();
        string caFile = Path.Combine(gateway.StateDir, "ca", CertificateAuthority.CertificateFileName);
        Assert.True(File.Exists(caFile));
        using X509Certificate2 original = X509Certificate2.CreateFromPem(File.ReadAllText(caFile));
        Assert.True(ChainsTo(leaves.GetContext("api.example.test").TargetCertificate, original));

        (int exit, string output) = gateway.Cli("ca", "rotate");

        Assert.True(exit == 0, output);
        using X509Certificate2 rotated = X509Certificate2.CreateFromPem(File.ReadAllText(caFile));
        Assert.NotEqual(original.Thumbprint, rotated.Thumbprint);
        Assert.Equal(rotated.Thumbprint, leaves.Authority.Certificate.Thumbprint);
        Assert.True(ChainsTo(leaves.GetContext("api.example.test").TargetCertificate, rotated));
        Assert.False(ChainsTo(leaves.GetContext("api.example.test").TargetCertificate, original));
    }

    [Fact]
    public void Daemon_WithABrokenCa_DoesNotStart_AndSaysWhichFile()
    {
        Run("ca", "export");
        File.WriteAllText(CertificatePath, "garbage");
        var errors = new List<string>();

        var app = GatewayHost.Build(GatewayConfig.CreateDefault(_stateDir), errors);

        Assert.Null(app);
        Assert.StartsWith(CertificatePath + ": ", Assert.Single(errors), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_stateDir, recursive: true);

    private static bool ChainsTo(X509Certificate2 leaf, X509Certificate2 authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        return chain.Build(leaf);
    }

    private (int Exit, string Stdout, string Stderr) Run(params string[] args) => Gateway.Tests.Cli.CliRun.Run(_stateDir, args);
}
