namespace PolicyCompiler.Yaml;

/// <summary>One problem found while reading YAML text, with where it is (line 0: no position known).</summary>
/// <param name="Kind">What went wrong.</param>
/// <param name="Line">1-based line, or 0.</param>
/// <param name="Column">1-based column, or 0.</param>
/// <param name="Detail">YamlDotNet's reason without its position prefix, the duplicated key, or the alias name.</param>
public sealed record YamlProblem(YamlProblemKind Kind, int Line, int Column, string Detail);
