using System.Collections;
using System.Collections.Frozen;
using PolicyCompiler.Yaml;

namespace Gateway.Configuration;

/// <summary>
/// Loads the configuration: the YAML file (or nothing: the embedded default), then
/// <c>GATEWAY__SECTION__KEY</c> environment overrides, then validation that reports every
/// problem at once, one line each, naming the file and line or the variable.
/// </summary>
internal static class ConfigLoader
{
    /// <summary>An empty environment, for callers that want no overrides.</summary>
    public static readonly IReadOnlyDictionary<string, string?> NoEnvironment =
        FrozenDictionary<string, string?>.Empty;

    /// <summary>
    /// Loads <paramref name="path"/> (null: no file, all defaults) with overrides from
    /// <paramref name="environment"/>. Returns false with every problem in <paramref name="errors"/>;
    /// <paramref name="config"/> is then a best effort with defaults in place of bad values,
    /// fit for nothing but diagnostics.
    /// </summary>
    public static bool TryLoad(
        string? path, IReadOnlyDictionary<string, string?> environment, out GatewayConfig config, List<string> errors) =>
        TryLoad(path, environment, new ConfigLoadOptions(), out config, errors);

    /// <summary>As <see cref="TryLoad(string?, IReadOnlyDictionary{string, string?}, out GatewayConfig, List{string})"/>, with command-line inputs.</summary>
    public static bool TryLoad(
        string? path,
        IReadOnlyDictionary<string, string?> environment,
        ConfigLoadOptions options,
        out GatewayConfig config,
        List<string> errors)
    {
        if (path is null)
        {
            return TryLoadYaml("", "", environment, options, out config, errors);
        }

        int before = errors.Count;
        string yaml = "";
        try
        {
            yaml = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            errors.Add($"{path}: configuration file not found; check --config");
        }
        catch (UnauthorizedAccessException)
        {
            errors.Add($"{path}: cannot read the configuration file (permission denied, or it is a directory)");
        }
        catch (IOException ex)
        {
            errors.Add($"{path}: cannot read the configuration file: {ex.Message}");
        }

        // Relative paths in a file are relative to the file, wherever the daemon was started from.
        string baseDirectory = Path.GetDirectoryName(Path.GetFullPath(path, options.WorkingDirectory)) ?? options.WorkingDirectory;
        bool valid = TryLoadYaml(yaml, path, baseDirectory, environment, options, out config, errors);
        config = config with { SourceFile = Path.GetFullPath(path, options.WorkingDirectory) };
        return valid && errors.Count == before;
    }

    /// <summary>
    /// Loads YAML text; <paramref name="sourceName"/> prefixes its messages (e.g. "gateway.yaml").
    /// Relative paths in it are relative to <see cref="ConfigLoadOptions.WorkingDirectory"/>.
    /// </summary>
    public static bool TryLoadYaml(
        string yaml,
        string sourceName,
        IReadOnlyDictionary<string, string?> environment,
        ConfigLoadOptions options,
        out GatewayConfig config,
        List<string> errors) =>
        TryLoadYaml(yaml, sourceName, options.WorkingDirectory, environment, options, out config, errors);

    /// <summary>A snapshot of the process environment, for <see cref="TryLoad(string?, IReadOnlyDictionary{string, string?}, out GatewayConfig, List{string})"/> and <see cref="StateDirectory"/>.</summary>
    public static IReadOnlyDictionary<string, string?> ProcessEnvironment()
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            environment[(string)entry.Key] = entry.Value as string;
        }

        return environment;
    }

    private static bool TryLoadYaml(
        string yaml,
        string sourceName,
        string baseDirectory,
        IReadOnlyDictionary<string, string?> environment,
        ConfigLoadOptions options,
        out GatewayConfig config,
        List<string> errors)
    {
        int before = errors.Count;
        ConfigNode? root = yaml.Length == 0 ? null : Read(yaml, sourceName, errors);
        root = EnvironmentOverrides.Apply(root, environment, errors);
        config = ConfigValidator.Validate(root, baseDirectory, options, environment, errors);
        return errors.Count == before;
    }

    /// <summary>
    /// Reads the file's text through the reader kits use too. Null when it holds no document (empty or
    /// comments only: all defaults) or is not a section of keys, the reason then being in <paramref name="errors"/>.
    /// </summary>
    private static ConfigNode? Read(string yaml, string sourceName, List<string> errors)
    {
        // The configuration is the operator's own file: anchors and aliases are allowed in it.
        var problems = new List<YamlProblem>();
        ConfigNode? root = YamlDocumentReader.Read(yaml, sourceName, allowAliases: true, problems);
        foreach (YamlProblem problem in problems)
        {
            errors.Add(ConfigOrigin.Yaml(sourceName, problem.Line, problem.Column, "").Format("", problem.Message));
        }

        if (root is null || root.Kind == ConfigNodeKind.Null)
        {
            return null;
        }

        if (root.Kind != ConfigNodeKind.Mapping)
        {
            errors.Add(root.Origin.Format("", $"the configuration must be a section of keys (stateDir, listen, policy …), found {root.Describe()}"));
            return null;
        }

        return root;
    }
}
