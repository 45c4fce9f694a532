/* kiosk-demo: the application of configs/kiosk.conf, a kiosk under sandinit.
 * It fills the framebuffer (/dev/fb0, the DRM driver's fbdev emulation)
 * with one colour, then reads key presses from every /dev/input/event* it
 * may open and, for each, draws a block whose place and colour depend on
 * the key's code, with the code in large digits, and logs `key CODE [NAME]`
 * (to /dev/log when stdout is a terminal, as under `tty /dev/tty1
 * graphics`, where nothing written shows; to stdout otherwise).
 * Static, musl; no library beyond libc. */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <syslog.h>
#include <unistd.h>

#include <linux/fb.h>
#include <linux/input.h>

#define MAX_INPUTS 16

/* The tests look for these on QEMU's screen (tests/qemu_kiosk.bats). */
#define BG 0x2060a0	/* the background */
#define FG 0xffffff	/* the title bar and the digits */

static struct fb_var_screeninfo var;
static struct fb_fix_screeninfo fix;
static int fb = -1;
/* The picture, drawn here and written whole: Linux 6.1's fbdev emulation
 * takes a write that ends at the end of a line for no change at all
 * (drm_fb_helper_memory_range_to_clip), so lines one at a time never show. */
static uint8_t *frame;
static int use_syslog;

/* RGB (0xRRGGBB) as the framebuffer's pixel, in its byte order. */
static uint32_t pixel(uint32_t rgb)
{
	uint32_t r = rgb >> 16 & 255, g = rgb >> 8 & 255, b = rgb & 255;

	return (r >> (8 - var.red.length)) << var.red.offset |
	       (g >> (8 - var.green.length)) << var.green.offset |
	       (b >> (8 - var.blue.length)) << var.blue.offset;
}

/* Fill the rectangle X, Y, W, H (clipped) with RGB. */
static void rect(unsigned x, unsigned y, unsigned w, unsigned h, uint32_t rgb)
{
	unsigned bpp = var.bits_per_pixel / 8;
	uint32_t p = pixel(rgb);

	if (x >= var.xres || y >= var.yres)
		return;
	if (w > var.xres - x)
		w = var.xres - x;
	if (h > var.yres - y)
		h = var.yres - y;
	for (unsigned j = 0; j < h; j++)
		for (unsigned i = 0; i < w; i++)	/* little-endian: the low bytes */
			memcpy(frame + (size_t)(y + j) * fix.line_length + (size_t)(x + i) * bpp, &p, bpp);
}

static void show(void)
{
	if (pwrite(fb, frame, (size_t)fix.line_length * var.yres, 0) < 0) {
		perror("kiosk-demo: write /dev/fb0");
		exit(1);
	}
}

/* 3x5 digits, a bit a cell, rows top down, 3 bits a row (MSB left). */
static const uint16_t digits[10] = {
	075557, 026227, 071747, 071717, 055711, 074717, 074757, 071111, 075757, 075717,
};

static void number(unsigned x, unsigned y, unsigned scale, unsigned n, uint32_t rgb)
{
	char s[12];
	int len = snprintf(s, sizeof(s), "%u", n);

	for (int i = 0; i < len; i++)
		for (int b = 0; b < 15; b++)
			if (digits[s[i] - '0'] >> (14 - b) & 1)
				rect(x + (unsigned)(i * 4 + b % 3) * scale, y + (unsigned)(b / 3) * scale,
				     scale, scale, rgb);
}

static void screen(void)
{
	rect(0, 0, var.xres, var.yres, BG);
	rect(0, 0, var.xres, var.yres / 16, FG);
}

/* Key CODE pressed: its block (a cell of a 16x8 grid by the code, a colour
 * by the code) and its number, over a fresh background. */
static void draw_key(unsigned code)
{
	static const uint32_t colours[8] = {
		0xff4040, 0x40ff40, 0xffff40, 0xff40ff, 0x40ffff, 0xff8000, 0x8000ff, 0x000000,
	};
	unsigned cw = var.xres / 16, ch = (var.yres - var.yres / 8) / 8;

	screen();
	rect(code % 16 * cw, var.yres / 8 + code / 16 % 8 * ch, cw, ch, colours[code % 8]);
	number(var.xres / 2 - 6 * (var.yres / 40), var.yres / 4, var.yres / 40, code, FG);
	show();
}

/* The letter of key CODE (the US layout's), or 0. */
static char letter(unsigned code)
{
	static const char rows[] = "qwertyuiop\0\0\0\0asdfghjkl\0\0\0\0\0zxcvbnm";

	return code >= KEY_Q && code < KEY_Q + sizeof(rows) - 1 ? rows[code - KEY_Q] : 0;
}

static void logkey(unsigned code)
{
	char c = letter(code);

	if (use_syslog) {
		if (c)
			syslog(LOG_INFO, "key %u %c", code, c);
		else
			syslog(LOG_INFO, "key %u", code);
	} else {
		if (c)
			printf("key %u %c\n", code, c);
		else
			printf("key %u\n", code);
	}
}

int main(void)
{
	struct pollfd in[MAX_INPUTS];
	nfds_t nin = 0;
	glob_t g;

	setvbuf(stdout, NULL, _IOLBF, 0);
	use_syslog = isatty(STDOUT_FILENO);
	openlog("kiosk-demo", 0, LOG_USER);
	fb = open("/dev/fb0", O_RDWR | O_CLOEXEC);
	if (fb < 0 || ioctl(fb, FBIOGET_VSCREENINFO, &var) < 0 || ioctl(fb, FBIOGET_FSCREENINFO, &fix) < 0) {
		perror("kiosk-demo: /dev/fb0");
		syslog(LOG_ERR, "/dev/fb0: %m");
		return 1;
	}
	if ((var.bits_per_pixel != 16 && var.bits_per_pixel != 24 && var.bits_per_pixel != 32) ||
	    !var.xres || !var.yres || fix.line_length < var.xres * (var.bits_per_pixel / 8) ||
	    !(frame = calloc(var.yres, fix.line_length))) {
		fprintf(stderr, "kiosk-demo: /dev/fb0: %u bpp, %ux%u: not drawn\n",
			var.bits_per_pixel, var.xres, var.yres);
		return 1;
	}
	screen();
	show();
	if (glob("/dev/input/event*", 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc && nin < MAX_INPUTS; i++) {
			int fd = open(g.gl_pathv[i], O_RDONLY | O_NONBLOCK | O_CLOEXEC);

			if (fd >= 0)
				in[nin++] = (struct pollfd){ .fd = fd, .events = POLLIN };
		}
		globfree(&g);
	}
	printf("kiosk-demo: %ux%u, %u bpp, %u input devices\n",
	       var.xres, var.yres, var.bits_per_pixel, (unsigned)nin);
	syslog(LOG_INFO, "%ux%u, %u bpp, %u input devices",
	       var.xres, var.yres, var.bits_per_pixel, (unsigned)nin);
	for (;;) {
		struct input_event ev[16];

		if (poll(in, nin, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("kiosk-demo: poll");
			return 1;
		}
		for (nfds_t i = 0; i < nin; i++) {
			ssize_t n;

			if (!(in[i].revents & (POLLIN | POLLERR | POLLHUP)))
				continue;
			n = read(in[i].fd, ev, sizeof(ev));
			if (n < 0 && errno != EAGAIN) {
				in[i].fd = -1;	/* unplugged: poll skips it */
				continue;
			}
			for (ssize_t k = 0; k < n / (ssize_t)sizeof(ev[0]); k++) {
				if (ev[k].type != EV_KEY || ev[k].value != 1)
					continue;
				logkey(ev[k].code);
				draw_key(ev[k].code);
			}
		}
	}
}
