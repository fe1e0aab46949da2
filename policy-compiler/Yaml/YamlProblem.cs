namespace PolicyCompiler.Yaml;

/// <summary>One problem found while reading YAML text, with where it is (line 0: no position known).</summary>
/// <param name="Kind">What went wrong.</param>
/// <param name="Line">1-based line, or 0.</param>
/// <param name="Column">1-based column, or 0.</param>
/// <param name="Detail">YamlDotNet's reason without its position prefix, the duplicated key, the alias name, or what a bad key is.</param>
public sealed record YamlProblem(YamlProblemKind Kind, int Line, int Column, string Detail)
{
    /// <summary>The problem as an operator reads it, the same for a configuration file and a kit.</summary>
    public string Message => Kind switch
    {
        YamlProblemKind.DuplicateKey => $"duplicate key \"{Detail}\"; write each key once",
        YamlProblemKind.Unterminated => "not valid YAML: an unterminated [ or { list or section, or a stray character in one",
        YamlProblemKind.Alias => $"YAML aliases (\"*{Detail}\") are not allowed in kit files, which are shared; write the value out",
        YamlProblemKind.ExtraDocument => "a second YAML document; the file is one document, remove the '---' and what follows",
        YamlProblemKind.KeyNotAName => $"a key must be a non-empty name, found {Detail}",
        YamlProblemKind.TooDeep => $"sections and lists nested more than {Detail} deep; no configuration or kit needs that, flatten it",
        _ => "not valid YAML: " + Detail,
    };
}
