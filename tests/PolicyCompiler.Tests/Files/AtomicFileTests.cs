using PolicyCompiler.Files;

namespace PolicyCompiler.Tests.Files;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
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
    public void Write_WithAMode_CreatesTheTemporaryFileWithIt_NotChmoddedAfter()
    {
        // Issue 16 item 7: a file holding secrets is never readable by others, not even for the
        // instant between create and chmod; the umask (022 here) must not widen it either.
        string path = Path.Combine(_directory, "sandboxes.json");
        UnixFileMode? whileWriting = null;

        AtomicFile.Write(path, 0, (stream, _) =>
        {
            whileWriting = File.GetUnixFileMode(((FileStream)stream).Name);
            stream.Write("[]"u8);
        }, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, whileWriting);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
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
