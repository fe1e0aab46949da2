using System.Text;
using PolicyCompiler.Files;
using Vmm.Network;

namespace Vmm.Sandboxes;

/// <summary>
/// The roots a sandbox trusts: the host's system bundle (which on some hosts already holds a
/// corporate or mirror CA the sandbox needs too) followed by the gateway's interception CA. A
/// netns sandbox sees it at the system bundle's own path (a bind mount that changes nothing on
/// the host), a microVM installs it there, and the variables <see cref="SandboxEnvironment"/>
/// sets name that path, so intercepted hosts are trusted without a flag or a manual step.
/// </summary>
internal static class CaBundle
{
    /// <summary>The bundle's path inside every sandbox: where Debian's tools look by default.</summary>
    public const string PathInside = "/etc/ssl/certs/ca-certificates.crt";

    /// <summary>The host's own bundle, the first part of every sandbox's.</summary>
    public const string SystemBundle = "/etc/ssl/certs/ca-certificates.crt";

    /// <summary>
    /// Bundles live outside the state directory (which is hidden from sandboxes) and must be readable
    /// by the unprivileged user bubblewrap runs as: one per host interface, host-wide like the claims.
    /// </summary>
    public static string Directory => Path.Combine(BlockClaims.Directory, "ca");

    /// <summary>The bundle of the sandbox on <paramref name="hostInterface"/>.</summary>
    public static string PathOf(string hostInterface) => Path.Combine(Directory, hostInterface + ".pem");

    /// <summary>The gateway CA's certificate in its state directory (the key next to it is never read).</summary>
    public static string GatewayCertificate(string stateDirectory) => Path.Combine(stateDirectory, "ca", "egress-gateway-ca.pem");

    /// <summary>The bundle's text: the system roots, then the gateway CA; a missing part is reported in <paramref name="notes"/>.</summary>
    public static string Compose(string stateDirectory, List<string> notes)
    {
        var bundle = new StringBuilder();
        if (File.Exists(SystemBundle))
        {
            bundle.Append(File.ReadAllText(SystemBundle).TrimEnd()).Append('\n');
        }
        else
        {
            notes.Add($"the host has no {SystemBundle}; sandboxes trust only the gateway CA");
        }

        string gateway = GatewayCertificate(stateDirectory);
        if (File.Exists(gateway))
        {
            bundle.Append("# egress gateway interception CA (").Append(gateway).Append(")\n");
            bundle.Append(File.ReadAllText(gateway).Trim()).Append('\n');
        }
        else
        {
            notes.Add($"the gateway has no CA yet ({gateway}); intercepted hosts will not be trusted until it has one and the next `vmm exec`");
        }

        return bundle.ToString();
    }

    /// <summary>Writes the bundle of the sandbox on <paramref name="hostInterface"/> (0644: it holds only certificates) when it changed; returns its path.</summary>
    public static string Write(string hostInterface, string text)
    {
        System.IO.Directory.CreateDirectory(Directory);
        string path = PathOf(hostInterface);
        if (File.Exists(path) && File.ReadAllText(path) == text)
        {
            return path;
        }

        // 0644 whatever the umask: the sandbox's unprivileged user reads it. Set after the rename;
        // until then the file is at most more private, never less.
        AtomicFile.Write(path, text, static (stream, value) => stream.Write(Encoding.UTF8.GetBytes(value)));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return path;
    }

    /// <summary>Deletes the bundle of the sandbox on <paramref name="hostInterface"/>; nothing to do when it is gone.</summary>
    public static void Delete(string hostInterface) => File.Delete(PathOf(hostInterface));
}
