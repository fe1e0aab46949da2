using PolicyCompiler.Yaml;

namespace PolicyCompiler.Kits;

/// <summary>One problem in a kit file, located well enough for an operator to fix it.</summary>
/// <param name="FilePath">The file as it was named to the parser.</param>
/// <param name="Line">1-based line, or 0 when the problem is the file as a whole (unreadable).</param>
/// <param name="Column">1-based column, or 0.</param>
/// <param name="KeyPath">Where in the document: "network.allowedDomains[2]"; empty for the top level.</param>
/// <param name="Message">What is wrong and how to fix it.</param>
public sealed record KitError(string FilePath, int Line, int Column, string KeyPath, string Message)
{
    /// <summary>"kits/dev/spec.yaml:12: network.allowedDomains[2]: pattern ...".</summary>
    public override string ToString() => ConfigOrigin.Yaml(FilePath, Line, Column, KeyPath).Format(KeyPath, Message);
}
