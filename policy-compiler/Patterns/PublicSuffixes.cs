using System.Collections.Frozen;
using System.Reflection;

namespace PolicyCompiler.Patterns;

/// <summary>
/// The ICANN section of the Public Suffix List, multi-label rules only (Data/public-suffixes.txt,
/// regenerated from Debian's publicsuffix package). Every single label counts as a public
/// suffix already, so "*.com" and "*.internal" are refused without a table.
/// Used when patterns are parsed, never on the data path.
/// </summary>
public static class PublicSuffixes
{
    private static readonly Lazy<Table> s_table = new(Load);

    /// <summary>True when <paramref name="name"/> (canonical) is a public suffix: "com", "co.uk", "foo.ck".</summary>
    public static bool IsPublicSuffix(string name)
    {
        int dot = name.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return true;
        }

        Table table = s_table.Value;
        if (table.Exceptions.Contains(name))
        {
            return false;
        }

        return table.Rules.Contains(name) || table.Rules.Contains(string.Concat("*", name.AsSpan(dot)));
    }

    /// <summary>
    /// True when every name directly below <paramref name="name"/> (canonical) is a public
    /// suffix: the list has a "*.name" rule, as for "kawasaki.jp". A wildcard over such a name
    /// spans every site registered under all of them, though the name itself is no suffix.
    /// </summary>
    public static bool HasPublicSuffixChildren(string name) => s_table.Value.Rules.Contains(string.Concat("*.", name));

    private static Table Load()
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("PolicyCompiler.public-suffixes.txt")
            ?? throw new InvalidOperationException("public suffix list resource missing from the build");
        using var reader = new StreamReader(stream);
        var rules = new HashSet<string>(StringComparer.Ordinal);
        var exceptions = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line[0] == '!')
            {
                exceptions.Add(line[1..]);
            }
            else
            {
                rules.Add(line);
            }
        }

        return new Table(rules.ToFrozenSet(StringComparer.Ordinal), exceptions.ToFrozenSet(StringComparer.Ordinal));
    }

    private sealed record Table(FrozenSet<string> Rules, FrozenSet<string> Exceptions);
}
