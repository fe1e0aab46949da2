using Xunit.Abstractions;
using Gateway.Interception.Dlp;

namespace Gateway.Tests.Interception.Dlp;

/// <summary>
/// Issue 21 point 3, measured honestly: every row of <see cref="DlpCases"/> through the gateway's own scanning
/// code, secrets caught in each place and encoding, benign look-alikes let through, documented misses missed.
/// </summary>
public sealed class DlpTableTests(ITestOutputHelper output)
{
    private static readonly DlpRun s_run = new();

    public static TheoryData<string> Rows()
    {
        var rows = new TheoryData<string>();
        foreach (DlpCase c in s_run.Cases)
        {
            rows.Add(c.ToString());
        }

        return rows;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task EachRow_GivesItsExpectedVerdict(string row)
    {
        DlpCase c = s_run.Cases.Single(c => c.ToString() == row);

        DlpPattern found = await s_run.ScanAsync(c);

        Assert.Equal(c.Expected, found);
    }

    [Fact]
    public void RowNames_AreUnique() =>
        Assert.Equal(s_run.Cases.Count, s_run.Cases.Select(c => c.ToString()).Distinct().Count());

    [Fact]
    public async Task TheTable_HasSixtyRows_AndItsCountsAreTheOnesInSecurityMd()
    {
        int secrets = 0, caught = 0, benign = 0, falsePositives = 0, knownMisses = 0;
        foreach (DlpCase c in s_run.Cases)
        {
            DlpPattern found = await s_run.ScanAsync(c);
            if (c.Expected != DlpPattern.None)
            {
                secrets++;
                caught += found == c.Expected ? 1 : 0;
            }
            else if (c.KnownMiss)
            {
                knownMisses++;
            }
            else
            {
                benign++;
                falsePositives += found != DlpPattern.None ? 1 : 0;
            }
        }

        output.WriteLine($"rows={s_run.Cases.Count} secrets={secrets} caught={caught} benign={benign} falsePositives={falsePositives} knownMisses={knownMisses}");
        Assert.True(s_run.Cases.Count >= 60, $"{s_run.Cases.Count} rows");
        Assert.Equal(secrets, caught);
        Assert.Equal(0, falsePositives);
        string security = Gateway.Tests.Docs.RepoFiles.Read("SECURITY.md");
        Assert.Contains($"{caught} of {secrets} secret rows caught, {falsePositives} of {benign} benign rows flagged, {knownMisses} documented misses", security, StringComparison.Ordinal);
    }
}
