using Gateway.Policy;

namespace Gateway.Tests.Policy;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("atomic-file-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Write_ReplacesTheFileWholeAndLeavesNoTemporaryFile()
    {
        string path = Path.Combine(_directory, "policy.json");
        File.WriteAllText(path, "old");

        AtomicFile.Write(path, "new content"u8);

        Assert.Equal("new content", File.ReadAllText(path));
        Assert.Equal(["policy.json"], Directory.GetFiles(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public void Write_FailingHalfway_KeepsTheOldContentAndRemovesTheTemporaryFile()
    {
        string path = Path.Combine(_directory, "policy.json");
        File.WriteAllText(path, "old");

        Assert.Throws<IOException>(() => AtomicFile.Write(path, 0, static (stream, _) =>
        {
            stream.Write(new byte[64 * 1024]);
            stream.Flush();
            throw new IOException("disk full");
        }));

        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["policy.json"], Directory.GetFiles(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public void Write_IntoAMissingDirectory_CreatesIt()
    {
        string path = Path.Combine(_directory, "a", "b", "policy.json");

        AtomicFile.Write(path, "{}"u8);

        Assert.Equal("{}", File.ReadAllText(path));
    }
}
