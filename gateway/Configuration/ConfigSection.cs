using PolicyCompiler.Yaml;

namespace Gateway.Configuration;

/// <summary>The known keys of one mapping after unknown ones were reported; see <see cref="ConfigValidator"/>.</summary>
/// <param name="path">The section's key path ("" for the root, "listen", "sandboxes[0]" …).</param>
/// <param name="origin">Where the section was written; section-level problems are reported there.</param>
internal sealed class ConfigSection(string path, ConfigOrigin origin)
{
    private readonly Dictionary<string, ConfigNode> _values = new(StringComparer.Ordinal);

    /// <summary>The section's key path.</summary>
    public string Path { get; } = path;

    /// <summary>Where the section was written.</summary>
    public ConfigOrigin Origin { get; } = origin;

    /// <summary>The node under <paramref name="key"/> (spelt as in the schema), or null when absent.</summary>
    public ConfigNode? Get(string key) => _values.GetValueOrDefault(key);

    /// <summary>The full key path of <paramref name="key"/>.</summary>
    public string PathOf(string key) => YamlKeyPath.Child(Path, key);

    /// <summary>Records a known key; a second spelling of the same key keeps the first.</summary>
    public void Add(string key, ConfigNode value) => _values.TryAdd(key, value);
}
