using PolicyCompiler.Kits;

namespace Security.Tests.Attacks;

/// <summary>Hostile kit files: every one is refused with errors (or parsed), never an exception, in bounded time and memory.</summary>
public sealed class KitAttackTests
{
    public static TheoryData<string> Files =>
        [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "testdata", "kits"), "*.yaml").Select(f => Path.GetFileName(f))];

    [Theory]
    [MemberData(nameof(Files))]
    public void KitFile_IsParsedOrRefusedWithErrors_NeverThrows(string file)
    {
        var errors = new List<KitError>();
        string text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "testdata", "kits", file));
        long before = GC.GetAllocatedBytesForCurrentThread();

        bool parsed = KitParser.TryParse(text, file, out KitSpec? kit, errors);

        Assert.True(parsed ? kit is not null : errors.Count > 0, string.Join("\n", errors));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 64L * 1024 * 1024);
    }
}
