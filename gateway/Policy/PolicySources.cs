using Gateway.Configuration;
using PolicyCompiler.Compilation;
using PolicyCompiler.Kits;
using PolicyCompiler.Rules;

namespace Gateway.Policy;

/// <summary>
/// Everything a policy is compiled from: the configuration (initial default, kit globs), the
/// store in the state directory, and the kits both name. The CLI and the daemon compile
/// through this one path, so `policy explain` says what the daemon does.
/// </summary>
internal sealed class PolicySources(GatewayConfig config, TimeProvider? time = null)
{
    public GatewayConfig Config { get; } = config;

    /// <summary>The clock expiring rules are compared with.</summary>
    public TimeProvider Time { get; } = time ?? TimeProvider.System;

    public PolicyStore Store { get; } = new(config.StateDir);

    /// <summary>The global rules in force for <paramref name="stored"/> now (expired ones left out).</summary>
    public List<PolicyRule> GlobalRules(StoredPolicy stored) => LocalRules.GlobalRules(stored, Config.Policy.InitialDefault, Time.GetUtcNow());

    /// <summary>Kits of the configuration and of the state directory, plus <paramref name="extraPaths"/>.</summary>
    public List<KitSpec> LoadKits(StoredPolicy stored, IReadOnlyList<string> extraPaths, List<KitError> errors)
    {
        var paths = new List<string>(KitFiles.Expand(Config.Kits));
        foreach (KitReference kit in stored.Kits)
        {
            paths.Add(kit.Path);
        }

        paths.AddRange(extraPaths);
        List<KitSpec> kits = KitFiles.LoadAll(paths, errors);
        foreach (KitSpec kit in kits)
        {
            if (kit.Network.Proxy?.CredentialRef is { } name
                && !(Config.Credentials.Sources.TryGetValue(name, out CredentialSourceConfig? source) && source.IsUsernamePassword))
            {
                // Proxy credentials are the operator's: the kit names one, the gateway's configuration holds it.
                errors.Add(new KitError(kit.FilePath, 0, 0, "network.proxy.credentialRef",
                    $"\"{name}\" is not a username/password source; define it under credentials.sources in the gateway configuration"));
            }
        }

        return kits;
    }

    /// <summary>Compiles the stored policy with <paramref name="kits"/>.</summary>
    public PolicySnapshot Compile(StoredPolicy stored, List<KitSpec> kits)
    {
        var kitRules = new List<KitRules>(kits.Count);
        foreach (KitSpec kit in kits)
        {
            kitRules.Add(kit.ToRules());
        }

        return SnapshotCompiler.Compile(GlobalRules(stored), kitRules);
    }
}
