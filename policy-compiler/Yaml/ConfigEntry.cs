namespace PolicyCompiler.Yaml;

/// <summary>One key of a mapping, with where the key itself was written.</summary>
/// <param name="key">The key as written.</param>
/// <param name="keyOrigin">Where the key was written; unknown keys are reported there.</param>
/// <param name="value">The value node.</param>
public sealed class ConfigEntry(string key, ConfigOrigin keyOrigin, ConfigNode value)
{
    /// <summary>The key as written (environment keys keep the variable's spelling).</summary>
    public string Key { get; } = key;

    /// <summary>Where the key was written.</summary>
    public ConfigOrigin KeyOrigin { get; } = keyOrigin;

    /// <summary>The value; replaced when an environment override lands on this key.</summary>
    public ConfigNode Value { get; set; } = value;

    /// <summary>The key, where it was written and the value, for <c>foreach ((key, origin, value) in node.Entries)</c>.</summary>
    /// <param name="name">The key as written.</param>
    /// <param name="origin">Where the key was written.</param>
    /// <param name="node">The value.</param>
    public void Deconstruct(out string name, out ConfigOrigin origin, out ConfigNode node)
    {
        name = Key;
        origin = KeyOrigin;
        node = Value;
    }
}
