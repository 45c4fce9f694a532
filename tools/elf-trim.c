/* tools/elf-trim IN OUT: OUT is IN, a stripped static ELF64 executable,
 * without what the kernel never reads: the sections that are not loaded
 * (.shstrtab, .comment) and the section header table, which is replaced
 * by one holding only the null entry (so OUT is still an ELF with section
 * headers, none of them a symbol table: `file` calls it stripped). The
 * ELF header (its three section fields rewritten) and the program headers
 * are kept, so is every loaded byte: the process is the same (issue 15:
 * 0.36 KB of sandinit's file; OpenWrt's sstrip goes further, to no table
 * at all). IN stays for objdump and size, which need the sections. Built
 * for the build machine (little-endian, as both boards' executables are:
 * checked). */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *in;

static int fail(const char *what)
{
	fprintf(stderr, "elf-trim: %s: %s\n", in, what);
	return 1;
}

int main(int argc, char **argv)
{
	static unsigned char file[1 << 24];
	Elf64_Ehdr eh;
	struct stat st;
	ssize_t n;
	size_t end;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: elf-trim IN OUT\n");
		return 2;
	}
	in = argv[1];
	fd = open(in, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0)
		return fail(strerror(errno));
	if (st.st_size > (off_t)sizeof(file) - 128)
		return fail("larger than 16 MiB");
	n = read(fd, file, sizeof(file));
	close(fd);
	if (n != st.st_size)
		return fail("short read");
	if ((size_t)n < sizeof(eh))
		return fail("not an ELF file");
	memcpy(&eh, file, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_type != ET_EXEC)
		return fail("not a little-endian 64-bit ELF executable");
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || !eh.e_phnum || eh.e_phoff < sizeof(eh) ||
	    eh.e_phoff > (size_t)n || eh.e_phnum * sizeof(Elf64_Phdr) > (size_t)n - eh.e_phoff)
		return fail("bad program header table");
	/* The file's end: its last loaded byte (or the tables' end, past the
	 * ELF header). */
	end = eh.e_phoff + eh.e_phnum * sizeof(Elf64_Phdr);
	for (size_t i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, file + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_DYNAMIC)
			return fail("dynamic: its section headers may be read");
		if (ph.p_offset > (size_t)n || ph.p_filesz > (size_t)n - ph.p_offset)
			return fail("a segment past the end of the file");
		if (ph.p_filesz && ph.p_offset + ph.p_filesz > end)
			end = ph.p_offset + ph.p_filesz;
	}
	/* The table after the last loaded byte, 8-aligned: the null entry. */
	eh.e_shoff = (end + 7) & ~(size_t)7;
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = 1;
	eh.e_shstrndx = SHN_UNDEF;
	memcpy(file, &eh, sizeof(eh));
	memset(file + end, 0, eh.e_shoff + sizeof(Elf64_Shdr) - end);
	end = eh.e_shoff + sizeof(Elf64_Shdr);

	/* Written beside OUT, then renamed over it: a running OUT is not
	 * written into (ETXTBSY), and a failed write leaves no cut file. */
	char tmp[4096];
	ssize_t w = -1;

	in = argv[2];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", argv[2]) >= (int)sizeof(tmp))
		return fail("name too long");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, st.st_mode & 07777);
	if (fd >= 0)
		w = write(fd, file, end);
	if (fd < 0 || w != (ssize_t)end || close(fd) < 0 || rename(tmp, argv[2]) < 0) {
		const char *why = w >= 0 && w != (ssize_t)end ? "short write" : strerror(errno);

		unlink(tmp);
		return fail(why);
	}
	return 0;
}
