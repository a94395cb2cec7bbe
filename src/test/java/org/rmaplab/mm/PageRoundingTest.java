package org.rmaplab.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The one page rounding (PageTable: PAGE_ALIGN, offset_in_page, DIV_ROUND_UP by pages). */
class PageRoundingTest {
    @Test
    void pageAlign() {
        assertEquals(0, PageTable.pageAlign(0));
        assertEquals(4096, PageTable.pageAlign(1));
        assertEquals(4096, PageTable.pageAlign(4096));
        assertEquals(8192, PageTable.pageAlign(4097));
        // PAGE_ALIGN of a length within a page of 2^64 wraps to 0, as in C: callers check it.
        assertEquals(0, PageTable.pageAlign(-1L));
    }

    @Test
    void offsetInPage() {
        assertEquals(5, PageTable.offsetOf(0x7f0000000005L));
        assertFalse(PageTable.offsetInPage(0x7f0000000000L));
        assertTrue(PageTable.offsetInPage(4095));
    }

    @Test
    void pagesUpIsUnsignedAndExact() {
        assertEquals(0, PageTable.pagesUp(0));
        assertEquals(1, PageTable.pagesUp(1));
        assertEquals(1, PageTable.pagesUp(4096));
        assertEquals(2, PageTable.pagesUp(4097));
        assertEquals(1L << 51, PageTable.pagesUp(Long.MAX_VALUE)); // 2^63 - 1 bytes
        assertEquals(1L << 52, PageTable.pagesUp(-1L)); // 2^64 - 1 bytes, unsigned
    }
}
