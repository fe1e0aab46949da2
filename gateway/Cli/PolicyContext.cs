using System.CommandLine;
using Gateway.Configuration;
using Gateway.Policy;
using PolicyCompiler.Compilation;
using PolicyCompiler.Kits;
using PolicyCompiler.Rules;

namespace Gateway.Cli;

/// <summary>
/// What a policy command works on: the configuration, the store in its state directory, and
/// the kits it names. The daemon builds its snapshot from the same pieces.
/// </summary>
internal sealed class PolicyContext
{
    private PolicyContext(GatewayConfig config, PolicyStore store)
    {
        Config = config;
        Store = store;
    }

    public GatewayConfig Config { get; }

    public PolicyStore Store { get; }

    public static PolicyContext Open(ParseResult result, CliContext context, GlobalOptions options)
    {
        GatewayConfig config = options.LoadConfig(result, context);
        return new PolicyContext(config, options.OpenStore(config));
    }

    /// <summary>The global rules in force for <paramref name="stored"/>.</summary>
    public List<PolicyRule> GlobalRules(StoredPolicy stored) => LocalRules.GlobalRules(stored, Config.Policy.InitialDefault);

    /// <summary>The kits of the configuration and of the state directory, plus <paramref name="extraPaths"/>.</summary>
    public List<KitSpec> LoadKits(StoredPolicy stored, IReadOnlyList<string> extraPaths)
    {
        var paths = new List<string>(KitFiles.Expand(Config.Kits));
        foreach (KitReference kit in stored.Kits)
        {
            paths.Add(kit.Path);
        }

        paths.AddRange(extraPaths);
        return KitFiles.LoadAll(paths);
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
