using Gateway.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Admin;

/// <summary>
/// The files and directories of this gateway that nothing in a sandbox may read (invariant 8):
/// the state directory (CA key, policy, admin socket, vmm's records with proxy tokens), the
/// configuration file (it may hold literal credentials), the audit log, and every file a
/// credential source reads. Part of <c>GET /status</c>, so vmm hides exactly these from the
/// processes it runs; kits' own credential files vmm reads from the kits it is given.
/// </summary>
internal static class AdminConfidentialPaths
{
    public static List<string> From(IServiceProvider services)
    {
        GatewayConfig config = services.GetRequiredService<GatewayConfig>();
        var paths = new List<string> { config.StateDir };
        Add(paths, config.SourceFile);
        Add(paths, config.Audit.File);
        foreach (CredentialSourceConfig source in config.Credentials.Sources.Values)
        {
            Add(paths, source.Secret?.File);
            Add(paths, source.Username?.File);
            Add(paths, source.Password?.File);
        }

        return paths;
    }

    private static void Add(List<string> paths, string? path)
    {
        if (path is { Length: > 0 } && !paths.Contains(Path.GetFullPath(path)))
        {
            paths.Add(Path.GetFullPath(path));
        }
    }
}
