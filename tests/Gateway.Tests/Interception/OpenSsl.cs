using System.Security.Cryptography.X509Certificates;
using Gateway.Tests.Listeners;
using Gateway.Tests.Protocols;

namespace Gateway.Tests.Interception;

/// <summary>The real <c>openssl</c> command line over certificates written to a scratch directory.</summary>
internal sealed class OpenSsl : IDisposable
{
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("gw-openssl-");

    /// <summary>Writes <paramref name="certificate"/> as PEM and returns its path.</summary>
    public string Write(X509Certificate2 certificate, string name)
    {
        string path = Path.Combine(_scratch.FullName, name);
        File.WriteAllText(path, certificate.ExportCertificatePem() + "\n");
        return path;
    }

    /// <summary>Runs openssl with <paramref name="args"/>; stdout and stderr together.</summary>
    public static async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        (int exit, string stdout, string stderr) = await ProcessRunner.RunAsync(OpenSslFactAttribute.Path!, args);
        return (exit, stdout + stderr);
    }

    /// <summary><c>openssl verify</c> of <paramref name="leaf"/> against <paramref name="authority"/> alone, as a TLS server certificate.</summary>
    public async Task<(int Exit, string Output)> VerifyAsync(X509Certificate2 leaf, X509Certificate2 authority, params string[] extra)
    {
        string ca = Write(authority, "ca-" + authority.Thumbprint + ".pem");
        string leafPath = Write(leaf, "leaf-" + leaf.SerialNumber + ".pem");
        return await RunAsync(["verify", "-x509_strict", "-no-CApath", "-no-CAstore", "-CAfile", ca, "-purpose", "sslserver", .. extra, leafPath]);
    }

    public void Dispose() => _scratch.Delete(recursive: true);
}
