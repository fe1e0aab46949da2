using Gateway.Decisions;

namespace Gateway.Tests.Docs;

/// <summary>The README's table of audit reasons is the closed set the code writes: none missing, none made up.</summary>
public sealed class AuditReasonDocTests
{
    [Fact]
    public void TheReadme_DocumentsEveryAuditReason_AndOnlyThose()
    {
        string readme = RepoFiles.Read("README.md");
        int start = readme.IndexOf("| reason | when |", StringComparison.Ordinal);
        Assert.True(start >= 0, "README has no table of audit reasons");
        string[] rows = [.. readme[start..].Split('\n').Skip(2).TakeWhile(line => line.StartsWith('|'))];
        string[] documented = [.. rows.Select(row => row.Split('`')[1])];

        foreach (string reason in EgressReason.Fixed)
        {
            Assert.Contains(reason, documented);
        }

        Assert.All(documented, reason => Assert.True(EgressReason.IsKnown(reason.Replace("<name>", "x", StringComparison.Ordinal).Replace("<pattern>", "x", StringComparison.Ordinal)), reason));
        Assert.Contains("budget:<name>", documented);
        Assert.Contains("dlp:<pattern>", documented);
    }
}
