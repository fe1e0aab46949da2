namespace PolicyCompiler.Yaml;

/// <summary>
/// The one spelling of a key path in messages, for configuration and kits alike:
/// <c>listen.forward</c>, <c>sandboxes[0].name</c>, and names that are not plain words in brackets,
/// <c>network.serviceDomains["api.example.com"]</c>, so a host name's dots never read as nesting.
/// </summary>
public static class YamlKeyPath
{
    /// <summary>The path of <paramref name="key"/> under <paramref name="path"/> ("" is the root).</summary>
    public static string Child(string path, string key)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(key);
        bool plain = key.Length > 0;
        foreach (char c in key)
        {
            plain &= char.IsAsciiLetterOrDigit(c) || c is '-' or '_';
        }

        string segment = plain ? key : "[\"" + key + "\"]";
        return path.Length == 0 ? segment : plain ? path + "." + segment : path + segment;
    }

    /// <summary>The path of item <paramref name="index"/> of the list at <paramref name="path"/>.</summary>
    public static string Index(string path, int index) => $"{path}[{index}]";
}
