using System.Globalization;

namespace PolicyCompiler.Yaml;

/// <summary>
/// Where a node of a configuration or kit file came from, so a problem names the place to fix it:
/// a file, line, column and key path; an environment variable; or nowhere (a default).
/// </summary>
/// <param name="File">The file as the operator named it, for nodes read from YAML.</param>
/// <param name="Line">1-based line in <paramref name="File"/>; 0 when no position is known.</param>
/// <param name="Column">1-based column in <paramref name="File"/>; 0 when no position is known.</param>
/// <param name="KeyPath">
/// Where in the document: <c>network.serviceDomains["api.example.com"]</c>, <c>sandboxes[0].name</c>;
/// empty for the root (see <see cref="YamlKeyPath"/>).
/// </param>
/// <param name="Variable">The environment variable (or the prefix shared by several), for overrides.</param>
public readonly record struct ConfigOrigin(string? File, int Line, int Column, string KeyPath, string? Variable)
{
    /// <summary>True for nodes from the environment, whose keys match case-insensitively.</summary>
    public bool IsEnvironment => Variable is not null;

    /// <summary>A node read at <paramref name="line"/>:<paramref name="column"/> of <paramref name="file"/>.</summary>
    public static ConfigOrigin Yaml(string file, int line, int column, string keyPath) => new(file, line, column, keyPath, null);

    /// <summary>A node set by <paramref name="variable"/>.</summary>
    public static ConfigOrigin Environment(string variable, string keyPath) => new(null, 0, 0, keyPath, variable);

    /// <summary>A default value: problems name only the key.</summary>
    public static ConfigOrigin Default => new(null, 0, 0, "", null);

    /// <summary>
    /// One operator-facing line: <c>file:line: key: problem</c> for YAML (no line when none is known,
    /// no key at the root), <c>VARIABLE: problem</c> for the environment (the variable already names
    /// the key), <c>key: problem</c> otherwise.
    /// </summary>
    /// <param name="keyPath">The key path as the schema spells it (environment keys are spelt as the variable).</param>
    /// <param name="problem">What is wrong and how to fix it.</param>
    public string Format(string keyPath, string problem)
    {
        ArgumentNullException.ThrowIfNull(keyPath);
        if (Variable is not null)
        {
            return $"{Variable}: {problem}";
        }

        string location = File is null ? ""
            : Line > 0 ? File + ":" + Line.ToString(CultureInfo.InvariantCulture) + ": "
            : File + ": ";
        return keyPath.Length == 0 ? location + problem : $"{location}{keyPath}: {problem}";
    }
}
