using PolicyCompiler.Kits;

namespace Vmm.Sandboxes;

/// <summary>
/// What nothing in a sandbox may read (DESIGN.md invariant 8): the gateway's state directory
/// (CA key, policy, admin socket, vmm's records with proxy tokens), its configuration, unit files
/// and every credential file, whether the gateway names it (<c>GET /status</c>), a kit given to
/// <c>vmm create</c> names it, or <c>ops/install.sh</c> put it in its usual place.
/// </summary>
internal static class ConfidentialPaths
{
    /// <summary>Where <c>ops/install.sh</c> puts the configuration, the state and the units, and systemd's other unit directories.</summary>
    private static readonly string[] s_installed =
    [
        "/etc/egress-gateway",
        "/var/lib/egress-gateway",
        "/etc/systemd/system/egress-gateway.service",
        "/etc/systemd/system/egress-gateway.service.d",
        "/etc/systemd/system/egress-gateway-vmm.service",
        "/lib/systemd/system/egress-gateway.service",
        "/lib/systemd/system/egress-gateway-vmm.service",
        "/usr/lib/systemd/system/egress-gateway.service",
        "/usr/lib/systemd/system/egress-gateway-vmm.service",
        "/run/systemd/system/egress-gateway.service.d",
    ];

    /// <summary>Every path to hide, absolute, each once, in a stable order; paths that do not exist are kept (they may appear later).</summary>
    public static List<string> Collect(string stateDirectory, IReadOnlyList<string>? fromGateway, IReadOnlyList<KitSpec> kits)
    {
        var paths = new List<string>();
        Add(paths, stateDirectory);
        foreach (string path in fromGateway ?? [])
        {
            Add(paths, path);
        }

        foreach (KitSpec kit in kits)
        {
            foreach (KitCredentialSource source in kit.Credentials.Sources.Values)
            {
                if (source.File is { Path.Length: > 0 } file)
                {
                    // As the gateway reads it: "~" is the home of the user running it, which for a
                    // gateway vmm serves as root is root's.
                    string path = file.Path.StartsWith('~')
                        ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) + file.Path[1..]
                        : file.Path;
                    Add(paths, path);
                }
            }
        }

        foreach (string path in s_installed)
        {
            Add(paths, path);
        }

        return paths;
    }

    private static void Add(List<string> paths, string path)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (full != "/" && !paths.Contains(full))
        {
            paths.Add(full);
        }
    }
}
