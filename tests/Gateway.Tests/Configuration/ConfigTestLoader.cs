using Gateway.Configuration;

namespace Gateway.Tests.Configuration;

/// <summary>Loads YAML text as "gateway.yaml" with a fixed state directory and working directory.</summary>
internal static class ConfigTestLoader
{
    public const string StateDir = "/srv/gateway-state";
    public const string WorkingDirectory = "/work/cwd";

    public static ConfigLoadOptions Options { get; } = new()
    {
        StateDirOption = StateDir,
        IsRoot = false,
        WorkingDirectory = WorkingDirectory,
    };

    public static (GatewayConfig Config, List<string> Errors) Load(string yaml, params (string Name, string? Value)[] environment) =>
        Load(yaml, Options, environment);

    public static (GatewayConfig Config, List<string> Errors) Load(
        string yaml, ConfigLoadOptions options, params (string Name, string? Value)[] environment)
    {
        var errors = new List<string>();
        bool ok = ConfigLoader.TryLoadYaml(yaml, "gateway.yaml", Environment(environment), options, out GatewayConfig config, errors);
        Assert.Equal(errors.Count == 0, ok);
        return (config, errors);
    }

    public static GatewayConfig LoadValid(string yaml, params (string Name, string? Value)[] environment)
    {
        (GatewayConfig config, List<string> errors) = Load(yaml, environment);
        Assert.Empty(errors);
        return config;
    }

    public static Dictionary<string, string?> Environment(params (string Name, string? Value)[] variables) =>
        variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
}
