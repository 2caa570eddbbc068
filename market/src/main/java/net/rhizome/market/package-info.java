/** Rhizome market module. */
package net.rhizome.market;
